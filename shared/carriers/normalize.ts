/**
 * Normalization of what people paste or type as a tracking number.
 */

/** Words of a label before the number ("Tracking #:", "N° de suivi :", "PIN", "AWB" ...). */
const LABEL_WORDS = new Set([
  'TRACKING',
  'TRACK',
  'TRK',
  'TRACE',
  'SUIVI',
  'REPERAGE',
  'NUMERO',
  'NUMBER',
  'NUM',
  'NBR',
  'N°',
  'PIN',
  'AWB',
  'WAYBILL',
  'CODE',
  'COLIS',
  'PARCEL',
  'PACKAGE',
  'ENVOI',
  'SHIPMENT',
  'EXPEDITION',
  'LABEL',
  'UPS',
  'FEDEX',
  'USPS',
  'DHL',
  'PUROLATOR',
  'CANPAR',
  'POSTES',
  'POSTE',
  'CANADA',
  'POST',
]);
/** Short words allowed inside a label, but never a label alone (they could start a number). */
const LABEL_GLUE = new Set(['NO', 'NR', 'DE', 'DU', 'D', 'ID', 'OF', 'THE', 'LA', 'LE', 'YOUR', 'VOTRE', 'REF']);

/** Drop diacritics so REPÉRAGE and REPERAGE are one word. */
function foldAccents(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

/** Removes a leading label: a run of label words (at least one from LABEL_WORDS). */
function stripLeadingLabel(s: string): string {
  const tokenRe = /^[\s:#.\-–—'’()[\]]*([A-Z°º]+)(?=[\s:#.\-–—'’()[\]]|$)/;
  let rest = s;
  let sawLabel = false;
  let lastCut = s;
  for (;;) {
    const m = tokenRe.exec(rest);
    const word = m?.[1];
    if (m === null || word === undefined) break;
    if (LABEL_WORDS.has(word)) sawLabel = true;
    else if (!LABEL_GLUE.has(word)) break;
    rest = rest.slice(m[0].length);
    if (sawLabel) lastCut = rest;
  }
  return sawLabel ? lastCut : s;
}

/**
 * The compact, upper-case form of a pasted tracking number: Unicode NFKC (full-width digits
 * become ASCII), upper case, a leading label such as "Tracking #:", "N° de suivi :" or "PIN"
 * removed, text before the last ':' or '#' dropped, a trailing
 * parenthesised note such as "(UPS)" dropped, spaces, dashes, dots, underscores and
 * slashes removed, and surrounding punctuation or quotes trimmed. It does not validate: the
 * result may be empty or keep characters no tracking number has (validation rejects those).
 * Never throws.
 */
export function normalizeTrackingNumber(input: string): string {
  let s = foldAccents(input.normalize('NFKC').toUpperCase()).replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+/g, ' ');
  const cut = Math.max(s.lastIndexOf(':'), s.lastIndexOf('#'));
  if (cut >= 0 && /[0-9]/.test(s.slice(cut + 1))) s = s.slice(cut + 1);
  s = stripLeadingLabel(s);
  const withoutNote = s.replace(/\([^()]*\)\s*$/, '');
  if (/[0-9]/.test(withoutNote)) s = withoutNote;
  s = s.replace(/[\s\-‐‑‒–—―.·_/]+/g, '');
  return s.replace(/^[^A-Z0-9]+|[^A-Z0-9]+$/g, '');
}
