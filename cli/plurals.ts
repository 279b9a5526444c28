/**
 * Counted phrases of the command line ("1 fichier", "2 fichiers", "1 000 000 de fichiers"),
 * chosen with Intl.PluralRules: each phrase has one form per plural category of its language
 * (French: one for 0 and 1, many for 1 000 000, other; English: one, other), and `#` stands for
 * the count formatted for the language (fr-CA groups digits with a no-break space). plurals.test.ts
 * checks that every phrase has exactly its language's categories.
 */
import type { Lang } from './messages.js';

/** The forms of one counted phrase, by plural category (`#` is the count). */
export type PluralForms = Readonly<Partial<Record<Intl.LDMLPluralRule, string>>> & { readonly other: string };

const fr = {
  files: { one: '# fichier', many: '# de fichiers', other: '# fichiers' },
  days: { one: '# jour', many: '# de jours', other: '# jours' },
  parts: { one: '# partie', many: '# de parties', other: '# parties' },
  entries: { one: '# entrée', many: '# d’entrées', other: '# entrées' },
  filesRestored: { one: '# fichier restauré et vérifié', many: '# de fichiers restaurés et vérifiés', other: '# fichiers restaurés et vérifiés' },
  namesAdapted: { one: '# nom adapté à ce système', many: '# de noms adaptés à ce système', other: '# noms adaptés à ce système' },
  problemsFound: { one: '# problème trouvé', many: '# de problèmes trouvés', other: '# problèmes trouvés' },
  problems: { one: '# problème', many: '# de problèmes', other: '# problèmes' },
  warnings: { one: '# avertissement', many: '# d’avertissements', other: '# avertissements' },
  events: { one: '# événement', many: '# d’événements', other: '# événements' },
  eventsVerified: { one: '# événement vérifié', many: '# d’événements vérifiés', other: '# événements vérifiés' },
  eventsStored: { one: '# événement stocké', many: '# d’événements stockés', other: '# événements stockés' },
  alreadyKnown: { one: '# déjà connu', many: '# déjà connus', other: '# déjà connus' },
  refused: { one: '# refusé', many: '# refusés', other: '# refusés' },
  pending: { one: '# en attente', many: '# en attente', other: '# en attente' },
  receiptsSigned: { one: '# reçu signé par le service', many: '# de reçus signés par le service', other: '# reçus signés par le service' },
  keyFilesDestroyed: { one: '# fichier de clé détruit', many: '# de fichiers de clé détruits', other: '# fichiers de clé détruits' },
  partsDeleted: { one: '# partie supprimée', many: '# de parties supprimées', other: '# parties supprimées' },
  filesExist: { one: '# fichier existe déjà à destination', many: '# de fichiers existent déjà à destination', other: '# fichiers existent déjà à destination' },
  eventsQueued: {
    one: '# événement reste en file d’attente sur ce poste',
    many: '# d’événements restent en file d’attente sur ce poste',
    other: '# événements restent en file d’attente sur ce poste',
  },
  unsafeLinks: {
    one: '# lien du disque est absolu ou mène hors du dossier de destination',
    many: '# de liens du disque sont absolus ou mènent hors du dossier de destination',
    other: '# liens du disque sont absolus ou mènent hors du dossier de destination',
  },
} as const satisfies Record<string, PluralForms>;

/** A counted phrase. */
export type CountedPhrase = keyof typeof fr;

const en: Record<CountedPhrase, PluralForms> = {
  files: { one: '# file', other: '# files' },
  days: { one: '# day', other: '# days' },
  parts: { one: '# part', other: '# parts' },
  entries: { one: '# entry', other: '# entries' },
  filesRestored: { one: '# file restored and verified', other: '# files restored and verified' },
  namesAdapted: { one: '# name adapted to this system', other: '# names adapted to this system' },
  problemsFound: { one: '# problem found', other: '# problems found' },
  problems: { one: '# problem', other: '# problems' },
  warnings: { one: '# warning', other: '# warnings' },
  events: { one: '# event', other: '# events' },
  eventsVerified: { one: '# event verified', other: '# events verified' },
  eventsStored: { one: '# event stored', other: '# events stored' },
  alreadyKnown: { one: '# already known', other: '# already known' },
  refused: { one: '# refused', other: '# refused' },
  pending: { one: '# pending', other: '# pending' },
  receiptsSigned: { one: '# receipt signed by the service', other: '# receipts signed by the service' },
  keyFilesDestroyed: { one: '# key file destroyed', other: '# key files destroyed' },
  partsDeleted: { one: '# part deleted', other: '# parts deleted' },
  filesExist: { one: '# file already exists at the destination', other: '# files already exist at the destination' },
  eventsQueued: { one: '# event stays queued on this machine', other: '# events stay queued on this machine' },
  unsafeLinks: {
    one: '# link on the drive is absolute or leads outside the destination folder',
    other: '# links on the drive are absolute or lead outside the destination folder',
  },
};

/** Both catalogs of counted phrases, by language. */
export const PLURALS: Readonly<Record<Lang, Readonly<Record<CountedPhrase, PluralForms>>>> = { fr, en };

/** The locale whose plural rules and number format a CLI language uses. */
export const LOCALES: Readonly<Record<Lang, string>> = { fr: 'fr-CA', en: 'en' };

const rules = new Map<Lang, Intl.PluralRules>();

/** The digit group separators of the locales (CLDR: fr-CA a no-break space, en a comma). */
const GROUP: Readonly<Record<Lang, string>> = { fr: '\u00a0', en: ',' };
const formats = new Map<Lang, Intl.NumberFormat>();

/**
 * `n` formatted for `lang` (fr: `1 000 000`, en: `1,000,000`), as Intl.NumberFormat does. A
 * whole number is grouped here: the first Intl.NumberFormat of a process costs ≈ 30 ms (its
 * locale data), more than the rest of a one-file `scelle open`'s messages. Never throws.
 */
export function fmtCount(n: number, lang: Lang): string {
  if (Number.isSafeInteger(n)) {
    const digits = String(Math.abs(n));
    let out = digits.slice(0, digits.length % 3 || 3);
    for (let i = out.length; i < digits.length; i += 3) out += GROUP[lang] + digits.slice(i, i + 3);
    return n < 0 ? `-${out}` : out;
  }
  let f = formats.get(lang);
  if (!f) formats.set(lang, (f = new Intl.NumberFormat(LOCALES[lang])));
  return f.format(n);
}

/**
 * The counted phrase `phrase` for `n` in `lang`, in the form `lang`'s plural rules select
 * (falling back to `other`), with `#` replaced by the formatted count. Never throws.
 */
export function counted(lang: Lang, phrase: CountedPhrase, n: number): string {
  let r = rules.get(lang);
  if (!r) rules.set(lang, (r = new Intl.PluralRules(LOCALES[lang])));
  const forms = PLURALS[lang][phrase];
  return (forms[r.select(n)] ?? forms.other).replace('#', fmtCount(n, lang));
}
