/**
 * Who wrote a custody event, as support reads it: "Poste MTL-01" / "Station MTL-01" for a prep
 * station, "Client" / "Customer" for the customer (whose author id, derived from the drive, means
 * nothing to a person), "Service <id>" for provider staff.
 */
import type { CustodyEventDto, Language } from '../shared/ipc/index.js';
import { translate } from './i18n/index.js';

/** The readable author of `author` in `lang`; an unknown kind keeps its raw id visible. Never throws. */
export function authorLabel(author: CustodyEventDto['author'], lang: Language): string {
  switch (author.kind) {
    case 'station':
      return translate(lang, 'author.station', { id: author.id });
    case 'staff':
      return translate(lang, 'author.staff', { id: author.id });
    case 'customer':
      return translate(lang, 'author.customer');
    default:
      return translate(lang, 'author.unknown', { id: `${author.kind}:${author.id}` });
  }
}
