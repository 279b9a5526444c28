/**
 * The documents the app writes: the packing slip (drive id, carrier, tracking number and a QR
 * code of the two; no personal data) and the support report of a custody timeline (PDF, CSV).
 * Pure Node (pdf-lib, qrcode), so they are tested without Electron.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import type { CustodyTimelineDto, Language } from '../shared/ipc/index.js';
import type { DocumentPort, SlipSetPlace } from './ports.js';

const T = {
  'fr-CA': {
    slip: 'Bordereau d’expédition — disque scellé',
    drive: 'Disque',
    set: 'Ensemble scellé',
    member: (p: number, n: number) => `Disque ${p} / ${n}`,
    setNote: (n: number) => `Ce disque fait partie d’un ensemble de ${n} disques : chacun a son bordereau. Le client a besoin de tous les disques pour tout restaurer.`,
    carrier: 'Transporteur',
    tracking: 'Numéro de suivi',
    slipNote: 'Les données sont chiffrées. Le code de déverrouillage est transmis séparément, jamais avec le disque.',
    report: 'Rapport de chaîne de possession',
    chain: 'Chaîne',
    ok: 'vérifiée',
    bad: 'NON vérifiée',
    generated: 'Produit le',
    cols: ['N°', 'Type', 'Heure (auteur)', 'Reçu par le service', 'Auteur', 'Signature'],
    sigOk: 'valide',
    sigBad: 'invalide',
    station: 'Poste',
    staff: 'Service',
    customer: 'Client',
    attestation: { 'customer-key': 'attesté par sa clé', 'data-key': 'clé des données seulement', none: 'NON attesté', unknown: 'attestation inconnue' },
  },
  en: {
    slip: 'Packing slip — sealed drive',
    drive: 'Drive',
    set: 'Sealed set',
    member: (p: number, n: number) => `Drive ${p} / ${n}`,
    setNote: (n: number) => `This drive is one of a set of ${n} drives, each with its own slip. The customer needs every drive to restore everything.`,
    carrier: 'Carrier',
    tracking: 'Tracking number',
    slipNote: 'The data is encrypted. The unlock code is sent separately, never with the drive.',
    report: 'Chain-of-custody report',
    chain: 'Chain',
    ok: 'verified',
    bad: 'NOT verified',
    generated: 'Generated',
    cols: ['#', 'Type', 'Time (author)', 'Received by service', 'Author', 'Signature'],
    sigOk: 'valid',
    sigBad: 'invalid',
    station: 'Station',
    staff: 'Service',
    customer: 'Customer',
    attestation: { 'customer-key': 'attested by their key', 'data-key': 'data key only', none: 'NOT attested', unknown: 'attestation unknown' },
  },
} as const;

/** The text encoded in the slip's QR code; a member of a set adds the set id and its position (`member=2/3`). */
export function slipQrText(driveId: string, trackingNumber: string, set?: SlipSetPlace): string {
  const place = set ? `;set=${set.id};member=${set.position}/${set.members}` : '';
  return `SCELLE/1;drive=${driveId}${place};tracking=${trackingNumber}`;
}

function drawQr(page: PDFPage, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / (n + 8);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) page.drawRectangle({ x: x + (c + 4) * cell, y: y + size - (r + 5) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
    }
  }
}

/**
 * Packing slip PDF (Letter size): the drive id, carrier, tracking number and QR code; a member of
 * a set also names the set and its position ("2 / 3"). Nothing about the customer's data.
 */
export async function renderPackingSlip(input: { driveId: string; carrierName: string; trackingNumber: string; language: Language; set?: SlipSetPlace }): Promise<Uint8Array> {
  const t = T[input.language];
  const doc = await PDFDocument.create();
  doc.setTitle(input.set ? `${t.slip} ${input.driveId} (${t.member(input.set.position, input.set.members)})` : `${t.slip} ${input.driveId}`);
  doc.setProducer('Scellé');
  doc.setCreator('Scellé');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage([612, 792]);
  page.drawText(t.slip, { x: 54, y: 720, size: 20, font: bold });
  const rows: [string, string][] = [
    [t.drive, input.driveId],
    [t.carrier, input.carrierName],
    [t.tracking, input.trackingNumber],
  ];
  if (input.set) rows.push([t.set, input.set.id], ['', t.member(input.set.position, input.set.members)]);
  rows.forEach(([k, v], i) => {
    page.drawText(k, { x: 54, y: 670 - i * 34, size: 12, font });
    page.drawText(v, { x: 200, y: 670 - i * 34, size: 16, font: bold });
  });
  drawQr(page, slipQrText(input.driveId, input.trackingNumber, input.set), 54, 300, 240);
  page.drawText(t.slipNote, { x: 54, y: 260, size: 10, font, maxWidth: 500 });
  if (input.set) page.drawText(t.setNote(input.set.members), { x: 54, y: 230, size: 10, font, maxWidth: 500 });
  return doc.save();
}

function table(page: PDFPage, font: PDFFont, y: number, cells: string[], widths: number[]): void {
  let x = 36;
  cells.forEach((c, i) => {
    const w = widths[i] ?? 80;
    let s = c;
    while (s.length > 1 && font.widthOfTextAtSize(s, 8) > w - 4) s = s.slice(0, -1);
    page.drawText(s, { x, y, size: 8, font });
    x += w;
  });
}

/**
 * The author of an event as the support report prints it, like the Support timeline: "Poste
 * <id>" / "Station <id>", "Service <id>" for staff, "Client" / "Customer" (a customer's author id
 * means nothing to a reader); an unknown kind keeps `kind:id`. Never throws.
 */
export function reportAuthor(author: CustodyTimelineDto['events'][number]['author'], language: Language): string {
  const t = T[language];
  if (author.kind === 'station') return `${t.station} ${author.id}`;
  if (author.kind === 'staff') return `${t.staff} ${author.id}`;
  if (author.kind === 'customer') return t.customer;
  return `${author.kind}:${author.id}`;
}

/**
 * The author cell of the support report: reportAuthor, followed for a customer event by who
 * could have signed it ("Client · attesté par sa clé" / "Customer · data key only"). Never throws.
 */
export function reportAuthorWithAttestation(e: Pick<CustodyTimelineDto['events'][number], 'author' | 'attestation'>, language: Language): string {
  const who = reportAuthor(e.author, language);
  return e.author.kind === 'customer' && e.attestation ? `${who} · ${T[language].attestation[e.attestation]}` : who;
}

/** Support report PDF of one timeline (Letter, landscape, paginated). */
export async function renderTimelinePdf(tl: CustodyTimelineDto, language: Language): Promise<Uint8Array> {
  const t = T[language];
  const doc = await PDFDocument.create();
  doc.setTitle(`${t.report} ${tl.driveId}`);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const widths = [30, 70, 150, 150, 200, 60];
  let page = doc.addPage([792, 612]);
  page.drawText(`${t.report} — ${t.drive} ${tl.driveId}`, { x: 36, y: 570, size: 14, font: bold });
  page.drawText(`${t.chain}: ${tl.chainOk ? t.ok : t.bad}${tl.chainProblem ? ` (${tl.chainProblem})` : ''} · ${t.tracking}: ${tl.trackingNumbers.join(', ') || '—'}`, {
    x: 36,
    y: 550,
    size: 10,
    font,
  });
  page.drawText(`${t.generated} ${new Date().toISOString()}`, { x: 36, y: 536, size: 8, font });
  let y = 510;
  table(page, bold, y, [...t.cols], widths);
  for (const e of tl.events) {
    y -= 14;
    if (y < 40) {
      page = doc.addPage([792, 612]);
      y = 570;
      table(page, bold, y, [...t.cols], widths);
      y -= 14;
    }
    table(page, font, y, [String(e.seq), e.type, e.at, e.receivedAt ?? '—', reportAuthorWithAttestation(e, language), e.signatureOk ? t.sigOk : t.sigBad], widths);
  }
  return doc.save();
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v);

/** Support report CSV of one timeline (RFC 4180, formula-injection safe); `customerAttestation` is empty for provider events. */
export function renderTimelineCsv(tl: CustodyTimelineDto): string {
  const head = ['driveId', 'seq', 'type', 'at', 'receivedAt', 'authorKind', 'authorId', 'signatureOk', 'chainOk', 'data', 'customerAttestation'];
  const rows = tl.events.map((e) => [
    tl.driveId,
    String(e.seq),
    e.type,
    e.at,
    e.receivedAt ?? '',
    e.author.kind,
    e.author.id,
    String(e.signatureOk),
    String(tl.chainOk),
    JSON.stringify(e.data),
    e.attestation ?? '',
  ]);
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The DocumentPort used by the app and the harness. */
export const documents: DocumentPort = {
  packingSlip: renderPackingSlip,
  timelinePdf: renderTimelinePdf,
  timelineCsv: renderTimelineCsv,
};
