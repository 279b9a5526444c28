/**
 * The text of the access-request report (a server document), fr-CA first and English at
 * parity: the report prints each line in both languages. A parity test checks both catalogs.
 */

/** fr-CA, the default language. */
export const ACCESS_REPORT_FR = {
  title: 'Demande d’accès — renseignements détenus',
  subject: 'Objet de la demande',
  generated: 'Produit le',
  orders: 'Commandes',
  drives: 'Disques',
  personal: 'Renseignements personnels',
  name: 'Nom',
  contact: 'Coordonnées',
  address: 'Adresse',
  createdAt: 'Enregistré le',
  cancelledAt: 'Annulée le',
  deleteAfter: 'Supprimé à partir du',
  custody: 'Chaîne de possession (aucun renseignement personnel)',
  chainOk: 'chaîne vérifiée',
  chainBad: 'chaîne NON vérifiée',
  incidents: 'Registre des incidents',
  accessLog: 'Consultations de ces renseignements',
  none: 'aucun',
  notice: 'Les renseignements ci-dessus sont tous ceux que le service de possession détient sur cet objet. La version JSON de cette demande les contient à l’identique.',
} as const;

/** English, same keys. */
export const ACCESS_REPORT_EN: Record<keyof typeof ACCESS_REPORT_FR, string> = {
  title: 'Access request — information held',
  subject: 'Subject of the request',
  generated: 'Generated',
  orders: 'Orders',
  drives: 'Drives',
  personal: 'Personal information',
  name: 'Name',
  contact: 'Contact',
  address: 'Address',
  createdAt: 'Recorded',
  cancelledAt: 'Cancelled',
  deleteAfter: 'Deleted from',
  custody: 'Chain of custody (no personal information)',
  chainOk: 'chain verified',
  chainBad: 'chain NOT verified',
  incidents: 'Incident register',
  accessLog: 'Accesses to this information',
  none: 'none',
  notice: 'The information above is all that the custody service holds about this subject. The JSON form of this request holds it exactly.',
};

/** A key of the report's catalogs. */
export type AccessReportKey = keyof typeof ACCESS_REPORT_FR;

/** "fr-CA text / English text" for one key. */
export function bilingual(key: AccessReportKey): string {
  return `${ACCESS_REPORT_FR[key]} / ${ACCESS_REPORT_EN[key]}`;
}
