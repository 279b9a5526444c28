/**
 * The access-request export as a bilingual PDF (fr-CA first, then English, on each heading),
 * rendered with pdf-lib's standard Helvetica: text outside its WinAnsi character set is shown
 * as `?` (the JSON export keeps every character).
 */
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { bilingual } from './access-report-text.js';
import type { AccessExport } from './access-request.js';

const PAGE: [number, number] = [612, 792];
const MARGIN = 48;
const LINE = 13;

/** Replaces characters the font cannot encode by `?`. */
function encodable(font: PDFFont, text: string): string {
  let out = '';
  for (const ch of text.replace(/[\r\n\t]/g, ' ')) {
    try {
      font.encodeText(ch);
      out += ch;
    } catch {
      out += '?';
    }
  }
  return out;
}

/** Writes lines top to bottom, adding pages as needed and wrapping long lines. */
class Writer {
  private page: PDFPage;
  private y: number;
  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.page = doc.addPage(PAGE);
    this.y = PAGE[1] - MARGIN;
  }
  line(text: string, opts: { bold?: boolean; size?: number; indent?: number } = {}): void {
    const font = opts.bold ? this.bold : this.font;
    const size = opts.size ?? 9;
    const x = MARGIN + (opts.indent ?? 0);
    const width = PAGE[0] - MARGIN - x;
    let rest = encodable(font, text);
    do {
      let cut = rest.length;
      while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
      // Break after the last space that fits, when there is one (long ids are cut anywhere).
      const space = rest.lastIndexOf(' ', cut - 1);
      if (cut < rest.length && space > 0) cut = space + 1;
      if (this.y < MARGIN) {
        this.page = this.doc.addPage(PAGE);
        this.y = PAGE[1] - MARGIN;
      }
      this.page.drawText(rest.slice(0, cut), { x, y: this.y, size, font });
      this.y -= Math.max(LINE, size + 4);
      rest = rest.slice(cut);
    } while (rest.length > 0);
  }
  gap(): void {
    this.y -= LINE / 2;
  }
}

/** Renders `x` as a Letter-size PDF. Pure; never throws on unusual text. */
export async function renderAccessReportPdf(x: AccessExport): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Scellé — demande d’accès / access request');
  doc.setProducer('Scellé');
  doc.setCreator('Scellé');
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));
  const none = bilingual('none');
  w.line(bilingual('title'), { bold: true, size: 14 });
  w.line(
    `${bilingual('subject')}: ${Object.entries(x.subject)
      .map(([k, v]) => `${k} = ${v}`)
      .join('')}`,
  );
  w.line(`${bilingual('generated')}: ${x.generatedAt}`);
  w.line(`${bilingual('orders')}: ${x.orderRefs.join(', ') || none}`);
  w.line(`${bilingual('drives')}: ${x.driveIds.join(', ') || none}`);
  w.gap();
  w.line(bilingual('personal'), { bold: true, size: 11 });
  if (x.personalRecords.length === 0) w.line(none, { indent: 12 });
  for (const r of x.personalRecords) {
    w.line(`${r.orderRef}${r.driveId ? ` (${r.driveId})` : ''}`, { bold: true, indent: 12 });
    for (const [k, v] of [
      ['name', r.name],
      ['contact', r.contact],
      ['address', r.address],
      ['createdAt', r.createdAt],
      ['cancelledAt', r.cancelledAt],
      ['deleteAfter', r.deleteAfter],
    ] as const) {
      w.line(`${bilingual(k)}: ${v ?? '—'}`, { indent: 24 });
    }
  }
  w.gap();
  w.line(bilingual('custody'), { bold: true, size: 11 });
  if (x.drives.length === 0) w.line(none, { indent: 12 });
  for (const d of x.drives) {
    w.line(`${d.driveId}: ${bilingual(d.chainOk ? 'chainOk' : 'chainBad')}`, { bold: true, indent: 12 });
    const received = new Map(d.receipts.map((r) => [r.eventId, r.receivedAt]));
    for (const e of d.events) {
      const data = Object.entries(e.data)
        .filter(([k]) => k !== 'anchor')
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      w.line(`${e.at}  ${e.type}  ${e.author.kind}:${e.author.id}  (${received.get(e.id) ?? '—'})  ${data}`, { indent: 24, size: 8 });
    }
  }
  w.gap();
  w.line(bilingual('incidents'), { bold: true, size: 11 });
  if (x.incidents.length === 0) w.line(none, { indent: 12 });
  for (const i of x.incidents) w.line(`${i.openedAt}  ${i.driveId}  ${i.kind}  ${i.reportedBy}`, { indent: 12 });
  w.gap();
  w.line(bilingual('accessLog'), { bold: true, size: 11 });
  if (x.accessLog.length === 0) w.line(none, { indent: 12 });
  for (const a of x.accessLog) w.line(`${a.at}  ${a.action}  ${a.role ?? '—'}  ${a.query}  (${a.resultCount})`, { indent: 12, size: 8 });
  w.gap();
  w.line(bilingual('notice'), { size: 8 });
  return doc.save();
}
