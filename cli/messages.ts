/**
 * Everything the command line says to people, in fr-CA (default) and en. Error codes map to
 * a sentence and a next step; details (paths, counts) are filled in, never secrets.
 */
import type { ScelleErrorCode } from '../shared/errors/scelle-error.js';
import { counted } from './plurals.js';

export type Lang = 'fr' | 'en';

/** The language: --lang, else $SCELLE_LANG, else French. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const v = (flag ?? env.SCELLE_LANG ?? 'fr').toLowerCase();
  return v.startsWith('en') ? 'en' : 'fr';
}

type Details = Readonly<Record<string, string | number | boolean>>;
type Sentence = (d: Details) => string;

/** Why a tracking number was refused (details of E_CARRIER_INVALID from shared/carriers), in French. */
function carrierReasonFr(x: Details): string {
  switch (x.reason) {
    case 'empty':
      return 'Aucun numéro de suivi n’a été donné.';
    case 'check-digit':
      return `Numéro de suivi refusé : il a la forme d’un numéro ${x.carrier ?? x.shape ?? ''} mais son chiffre de contrôle est faux (probablement une faute de frappe).`;
    case 'wrong-carrier':
      return `Numéro de suivi refusé : il n’est pas valide pour ${x.carrier ?? ''}, mais l’est pour ${x.detected ?? ''}.`;
    case 'other-shape':
      return 'Numéro de suivi refusé : pour un transporteur hors liste, il faut de 6 à 40 lettres ou chiffres.';
    default:
      return 'Numéro de suivi refusé : il ne correspond au format d’aucun transporteur connu.';
  }
}

/** Why a tracking number was refused, in English. */
function carrierReasonEn(x: Details): string {
  switch (x.reason) {
    case 'empty':
      return 'No tracking number was given.';
    case 'check-digit':
      return `Tracking number refused: it has the shape of a ${x.carrier ?? x.shape ?? ''} number but its check digit is wrong (most likely a typo).`;
    case 'wrong-carrier':
      return `Tracking number refused: it is not valid for ${x.carrier ?? ''}, but it is for ${x.detected ?? ''}.`;
    case 'other-shape':
      return 'Tracking number refused: for a carrier not on the list, it must be 6 to 40 letters or digits.';
    default:
      return 'Tracking number refused: it matches no known carrier’s format.';
  }
}

/** The French name of a bound named by E_FORMAT_LIMIT's `what` (file names stay as they are). */
function limitWhatFr(what: string): string {
  const names: Record<string, string> = {
    keyslots: 'emplacements de clé',
    'unlock-code keyslots': 'emplacements « code de déverrouillage »',
    parts: 'parties',
    'index bytes': 'octets de l’index',
    'index line bytes': 'octets d’une ligne de l’index',
  };
  return names[what] ?? what;
}

/** Error sentences: [what happened, what to do]. */
const ERRORS: Record<Lang, Partial<Record<ScelleErrorCode, [Sentence, Sentence]>>> = {
  fr: {
    E_FORMAT_HEADER: [() => 'Un fichier chiffré du disque est endommagé (en-tête invalide).', () => 'Demandez un nouvel envoi au fournisseur.'],
    E_FORMAT_AUTH: [
      (x) => `Des données du disque ont été altérées ou sont endommagées${x.part !== undefined ? ` (partie ${x.part})` : ''}.`,
      () => 'Rien n’a été restauré à partir de la zone touchée. Lancez « scelle verify » et contactez le fournisseur.',
    ],
    E_FORMAT_TRUNCATED: [() => 'Un fichier du disque est tronqué.', () => 'Le disque a peut-être été retiré pendant l’écriture; contactez le fournisseur.'],
    E_FORMAT_TRAILING: [() => 'Un fichier du disque contient des octets en trop.', () => 'Contactez le fournisseur.'],
    E_FORMAT_MANIFEST: [
      (x) => `Ce dossier n’est pas un disque scellé valide${x.path ? ` : ${x.path}` : ''}.`,
      (x) => (x.unfinished ? 'Le scellement n’est pas terminé : reprenez-le avec « scelle seal --resume ».' : 'Vérifiez le chemin, ou contactez le fournisseur.'),
    ],
    E_FORMAT_SIGNATURE: [() => 'La signature du disque ne correspond pas : il a été modifié ou falsifié.', () => 'N’utilisez pas ce disque; contactez le fournisseur.'],
    E_FORMAT_CERTIFICATE: [() => 'Le certificat du poste qui a scellé ce disque est invalide.', () => 'Contactez le fournisseur.'],
    E_FORMAT_INDEX: [() => 'L’index chiffré du disque est illisible ou incohérent.', () => 'Contactez le fournisseur.'],
    E_FORMAT_PART_MISSING: [(x) => `Une partie du disque manque : ${x.file ?? ''}.`, () => 'Vérifiez que le disque est complet; contactez le fournisseur.'],
    E_FORMAT_PART_SIZE: [(x) => `Une partie du disque n’a pas la bonne taille : ${x.file ?? ''}.`, () => 'Elle est tronquée ou a été modifiée; contactez le fournisseur.'],
    E_FORMAT_PART_HASH: [(x) => `Une partie du disque est endommagée ou a été remplacée : ${x.file ?? ''}.`, () => 'Contactez le fournisseur.'],
    E_FORMAT_PART_EXTRA: [(x) => `Un fichier inattendu se trouve sur le disque : ${x.file ?? ''}.`, () => 'Il ne fait pas partie de l’envoi; contactez le fournisseur.'],
    E_FORMAT_TAR: [() => 'Le contenu déchiffré du disque est mal formé.', () => 'Contactez le fournisseur.'],
    E_FORMAT_CONTENT_HASH: [(x) => `Le fichier ${x.path ?? ''} ne correspond pas à son empreinte.`, () => 'Il n’a pas été restauré; contactez le fournisseur.'],
    E_FORMAT_UNSUPPORTED: [() => 'Ce disque utilise une fonction que cette version ne connaît pas.', () => 'Mettez Scellé à jour.'],
    E_FORMAT_UNSAFE_ENTRY: [
      (x) =>
        `Élément dangereux sur le disque, refusé : ${x.path ?? ''} (${x.reason === 'link' ? 'lien symbolique' : x.reason === 'outside' ? 'hors du dossier du disque' : 'ni un fichier ordinaire ni un vrai dossier'}).`,
      () =>
        'Rien n’a été lu ni modifié à travers cet élément. Le disque a peut-être été trafiqué : contactez le fournisseur (pour effacer le disque, supprimez d’abord cet élément vous-même).',
    ],
    E_FORMAT_LIMIT: [
      (x) => `Le disque dépasse une limite du format : ${limitWhatFr(String(x.what ?? ''))} = ${x.value ?? ''} (maximum ${x.max ?? ''}).`,
      () => 'Un disque authentique n’atteint jamais cette limite; il a peut-être été falsifié. Contactez le fournisseur.',
    ],
    E_KEY_UNLOCK_CODE_TYPO: [() => 'Le code de déverrouillage contient une faute de frappe.', () => 'Relisez-le caractère par caractère (les tirets et espaces sont facultatifs).'],
    E_KEY_UNLOCK_CODE_FORMAT: [() => 'Ce n’est pas un code de déverrouillage (longueur ou caractères invalides).', () => 'Entrez le code reçu séparément, par exemple XXXX-XXXX-…'],
    E_KEY_WRONG: [() => 'Ce code ou cette clé n’ouvre pas ce disque.', () => 'Vérifiez que le code correspond bien à ce disque (même numéro de disque).'],
    E_KEY_FILE: [
      (x) =>
        x.reason === 'too-open'
          ? `Le fichier secret ${x.path ?? ''} est accessible au groupe ou aux autres : il est refusé.`
          : x.reason === 'wrong-owner'
            ? `Le fichier secret ${x.path ?? ''} appartient à un autre utilisateur : il est refusé.`
            : `Fichier de clé inutilisable : ${x.path ?? ''} (${x.problem ?? ''}).`,
      (x) =>
        x.reason === 'too-open'
          ? `Exécutez : ${x.fix ?? 'chmod 600'}`
          : x.reason === 'wrong-owner'
            ? 'Utilisez un fichier qui vous appartient (ou changez-en le propriétaire).'
            : 'Vérifiez le chemin, ou recréez la clé avec « scelle keygen ».',
    ],
    E_KEY_NO_RECIPIENT: [() => 'Aucun destinataire : personne ne pourrait ouvrir ce disque.', () => 'Gardez le code de déverrouillage ou ajoutez --recipient.'],
    E_SOURCE_NOT_FOUND: [(x) => `Source introuvable : ${x.path ?? ''}.`, () => 'Vérifiez le chemin.'],
    E_SOURCE_UNREADABLE: [(x) => `Impossible de lire ${x.path ?? ''}.`, () => 'Corrigez les permissions, ou retirez ce fichier des sources.'],
    E_SOURCE_CHANGED: [(x) => `Le fichier ${x.path ?? ''} a changé pendant le scellement.`, () => 'Assurez-vous que rien n’écrit dans les sources, puis scellez de nouveau.'],
    E_SOURCE_UNSUPPORTED: [(x) => `${x.path ?? ''} est un ${x.kind ?? 'fichier spécial'} et ne peut pas être scellé.`, () => 'Retirez-le des sources.'],
    E_TARGET_NOT_FOUND: [(x) => `Dossier cible introuvable : ${x.path ?? ''}.`, () => 'Branchez le disque et vérifiez le chemin.'],
    E_TARGET_READ_ONLY: [(x) => `Impossible d’écrire sur la cible ${x.path ?? ''}.`, () => 'Le disque est en lecture seule ou protégé; changez de disque ou de dossier.'],
    E_TARGET_FULL: [() => 'Le disque cible est plein.', () => 'Libérez de l’espace ou utilisez un disque plus grand, puis reprenez avec « scelle seal --resume ».'],
    E_TARGET_NOT_EMPTY: [(x) => `Un scellement inachevé se trouve déjà sur la cible : ${x.path ?? ''}.`, () => 'Reprenez-le avec --resume, ou supprimez ce dossier.'],
    E_TARGET_TOO_SMALL: [
      (x) => `Le disque est trop petit : ${fmtBytes(Number(x.needed ?? 0), 'fr')} requis, ${fmtBytes(Number(x.free ?? 0), 'fr')} libres.`,
      () => 'Utilisez un disque plus grand ou moins de données.',
    ],
    E_TARGET_IO: [(x) => `Erreur d’écriture sur la cible (${x.errno ?? ''}).`, () => 'Vérifiez le disque et son câble, puis reprenez avec « scelle seal --resume ».'],
    E_TARGET_UNSUPPORTED: [
      () => 'Le système de fichiers de la cible refuse des fichiers aussi gros.',
      () => 'Utilisez --part-size plus petit, ou formatez le disque en exFAT ou NTFS.',
    ],
    E_RESUME_MISMATCH: [
      (x) => (x.reason === 'set-member' ? 'Ce disque est un membre inachevé d’un ensemble : il ne peut pas être repris seul.' : 'Ce scellement ne peut pas être repris.'),
      (x) =>
        x.reason === 'set-member'
          ? 'Reprenez l’ensemble : « scelle seal <sources> --resume --next-drive --to <disque inachevé> » (et --to pour chaque disque encore branché).'
          : 'Supprimez le dossier inachevé et scellez de nouveau.',
    ],
    E_CANCELLED: [() => 'Opération annulée.', () => 'Un scellement annulé peut être repris avec « scelle seal --resume ».'],
    E_RESTORE_EXISTS: [
      (x) =>
        x.reason === 'not-a-folder'
          ? `« ${x.path ?? ''} » existe et n’est pas un dossier; le disque restaure un dossier à cet endroit.`
          : x.reason === 'is-a-folder'
            ? `« ${x.path ?? ''} » est un dossier; le disque restaure un fichier à cet endroit.`
            : `${counted('fr', 'filesExist', Number(x.count ?? 1))}, par exemple ${x.path ?? ''}.`,
      (x) =>
        x.reason === 'not-a-folder' || x.reason === 'is-a-folder'
          ? 'Déplacez-le ailleurs, ou choisissez un autre dossier de destination.'
          : 'Choisissez un dossier vide, ou ajoutez --overwrite pour les remplacer.',
    ],
    E_RESTORE_UNSAFE_PATH: [
      (x) => `Restauration refusée pour « ${x.path ?? ''} » : ce chemin sortirait du dossier de destination.`,
      () => 'Rien n’a été écrit; contactez le fournisseur.',
    ],
    E_RESTORE_NOT_IN_INDEX: [(x) => `Introuvable sur ce disque : ${x.path ?? ''}.`, () => 'Consultez la liste avec « scelle list ».'],
    E_SET_MISMATCH: [
      (x) => `Ces disques ne forment pas un même ensemble${x.path ? ` (${x.path})` : ''}.`,
      () => 'Donnez une seule fois chaque disque membre d’un même ensemble scellé.',
    ],
    E_SET_MEMBER_MISSING: [
      (x) => `Ces données sont sur le disque ${x.position ?? '?'} de l’ensemble (${x.driveId ?? '?'}), qui n’est pas branché.`,
      () => 'Branchez ce disque et donnez aussi son dossier.',
    ],
    E_RESTORE_UNSAFE_LINK: [
      (x) => `${counted('fr', 'unsafeLinks', Number(x.count ?? 1))}, par exemple « ${x.path ?? ''} » → « ${x.target ?? ''} ».`,
      () => 'Rien n’a été écrit. Si vous faites confiance à ce disque, relancez avec --allow-outward-links (chaque lien sera signalé).',
    ],
    E_CARRIER_INVALID: [
      (x) => carrierReasonFr(x),
      (x) =>
        x.reason === 'unknown-format' || x.reason === 'other-shape'
          ? 'Relisez le numéro sur le bordereau; pour un transporteur hors liste, utilisez --other-carrier "<nom>".'
          : 'Relisez le numéro sur le bordereau (espaces et tirets sont facultatifs).',
    ],
    E_CUSTODY_CHAIN: [
      (x) =>
        x.reason === 'no-provider-lineage'
          ? `Ce poste n’a pas de chaîne de traçabilité pour le disque ${x.driveId ?? ''} : il ne l’a pas scellé ici.`
          : x.reason === 'no-events'
            ? `Aucun événement de traçabilité connu pour le disque ${x.driveId ?? ''} sur ce poste.`
            : `Événement de traçabilité refusé : il ne prolonge pas correctement la chaîne${x.field ? ` (${x.field})` : ''}.`,
      (x) =>
        x.reason === 'no-provider-lineage' || x.reason === 'no-events'
          ? 'Utilisez le poste qui a scellé le disque, ou consultez le service avec « scelle custody lookup ».'
          : 'Consultez « scelle custody verify » et contactez le soutien.',
    ],
    E_CUSTODY_SIGNATURE: [() => 'La signature d’un événement de traçabilité est invalide.', () => 'Vérifiez la clé du poste (« scelle setup ») et contactez le soutien.'],
    E_CUSTODY_JOURNAL: [
      (x) =>
        x.record !== undefined
          ? `Le journal de traçabilité local est endommagé ou a été modifié (enregistrement ${x.record}${x.file ? ` de ${x.file}` : ''}).`
          : x.pid !== undefined
            ? `Le journal de traçabilité local est utilisé par un autre processus (pid ${x.pid}).`
            : `Le journal de traçabilité local ne peut pas être lu ou écrit${x.file ? ` (${x.file})` : x.dir ? ` (${x.dir})` : ''}.`,
      (x) =>
        x.record !== undefined
          ? 'Rien n’a été réparé automatiquement : conservez le fichier et contactez le soutien.'
          : 'Attendez la fin de l’autre commande, vérifiez l’espace disque et les permissions, puis réessayez.',
    ],
    E_CUSTODY_SYNC: [
      (x) =>
        x.status
          ? `Le service de traçabilité a refusé la demande (HTTP ${x.status}${x.serverCode ? `, ${x.serverCode}` : ''}).`
          : 'La réponse du service de traçabilité est invalide ou ne se vérifie pas.',
      (x) =>
        x.status === 401 || x.status === 403
          ? 'Vérifiez le jeton (--token-file) et ses droits.'
          : 'Vérifiez l’adresse et la clé du service (« scelle custody config »); les événements restent en attente.',
    ],
    E_CUSTODY_OFFLINE: [
      (x) => `Le service de traçabilité est injoignable${x.pending !== undefined ? ` : ${counted('fr', 'eventsQueued', Number(x.pending))}` : ''}.`,
      () => 'Vérifiez la connexion réseau et relancez « scelle custody sync » plus tard; rien n’est perdu.',
    ],
    E_USAGE: [(x) => `Commande incorrecte${x.reason ? ` : ${x.reason}` : ''}.`, () => 'Consultez « scelle --help ».'],
    E_KEY_INVALID: [() => 'Une clé est invalide (mauvaise longueur ou point X25519 inutilisable).', () => 'Vérifiez le fichier de clé, ou recréez-la avec « scelle keygen ».'],
    E_KEY_CUSTOMER_NEEDED: [
      () => 'Ce disque a été scellé pour une clé client : les accusés de réception doivent être signés avec cette clé, absente ici.',
      () => 'Donnez votre clé client avec --customer-key <fichier>.',
    ],
    E_IPC_INVALID: [() => 'Requête interne refusée.', () => 'Redémarrez l’application; si l’erreur persiste, signalez-la au soutien.'],
    E_CUSTODY_MERKLE: [
      () => 'Le journal du service de traçabilité n’est pas cohérent avec ce qu’il a publié avant.',
      () => 'Ne vous fiez pas à cette réponse; signalez-le au soutien.',
    ],
    E_SERVER_CONFIG: [() => 'La configuration du service est invalide.', () => 'Consultez docs/SERVER.md.'],
    E_PROVIDER_CONFIG: [
      (x) => `La configuration du fournisseur intégrée à cette version est inutilisable : ${x.path ?? ''} (${x.problem ?? ''}).`,
      () => 'Réinstallez Scellé à partir de l’installateur officiel du fournisseur.',
    ],
    E_STATION_CERTIFICATE_EXPIRED: [
      (x) =>
        `Le certificat du poste ${x.stationId ?? ''} a expiré le ${String(x.expiresAt ?? '').slice(0, 10)} : aucun disque n’a été scellé, car tout lecteur le jugerait expiré.`,
      () => 'Renouvelez le certificat auprès du service de traçabilité (« scelle station renew » ou « scelle custody sync »), puis scellez de nouveau.',
    ],
    E_STATION_RENEWAL: [
      (x) => `Le service de traçabilité n’a pas renouvelé le certificat du poste (${x.problem ?? ''}).`,
      () => 'Le certificat actuel est conservé. Si le poste a été révoqué ou n’est pas inscrit, communiquez avec l’administrateur du fournisseur.',
    ],
    E_REVOCATION_LIST: [
      (x) => `Liste de révocation refusée (${x.problem ?? ''}).`,
      () => 'Obtenez la liste à jour auprès du service de traçabilité du fournisseur; une liste plus ancienne que celle déjà conservée n’est jamais acceptée.',
    ],
    E_UPDATE_SIGNATURE: [
      (x) => `Mise à jour refusée : elle n’est pas signée par le fournisseur ou ne correspond pas à ce qu’il a signé (${x.problem ?? ''}).`,
      () => 'Rien n’a été installé. Signalez-le au soutien du fournisseur.',
    ],
    E_SERVER_DATABASE: [() => 'La base de données du service est inaccessible.', () => 'Vérifiez DATABASE_URL et que la base est démarrée.'],
    E_INTERNAL: [() => 'Erreur interne.', () => 'Réessayez; si l’erreur persiste, signalez-la au soutien.'],
  },
  en: {
    E_FORMAT_HEADER: [() => 'An encrypted file on the drive is damaged (bad header).', () => 'Ask the provider to ship again.'],
    E_FORMAT_AUTH: [
      (x) => `Data on the drive was altered or is damaged${x.part !== undefined ? ` (part ${x.part})` : ''}.`,
      () => 'Nothing was restored from the damaged area. Run "scelle verify" and contact the provider.',
    ],
    E_FORMAT_TRUNCATED: [() => 'A file on the drive is truncated.', () => 'The drive may have been removed while writing; contact the provider.'],
    E_FORMAT_TRAILING: [() => 'A file on the drive has extra bytes.', () => 'Contact the provider.'],
    E_FORMAT_MANIFEST: [
      (x) => `This folder is not a valid sealed drive${x.path ? `: ${x.path}` : ''}.`,
      (x) => (x.unfinished ? 'The seal is unfinished: resume it with "scelle seal --resume".' : 'Check the path, or contact the provider.'),
    ],
    E_FORMAT_SIGNATURE: [() => 'The drive’s signature does not match: it was altered or forged.', () => 'Do not use this drive; contact the provider.'],
    E_FORMAT_CERTIFICATE: [() => 'The certificate of the station that sealed this drive is invalid.', () => 'Contact the provider.'],
    E_FORMAT_INDEX: [() => 'The drive’s encrypted index is unreadable or inconsistent.', () => 'Contact the provider.'],
    E_FORMAT_PART_MISSING: [(x) => `A part of the drive is missing: ${x.file ?? ''}.`, () => 'Check that the drive is complete; contact the provider.'],
    E_FORMAT_PART_SIZE: [(x) => `A part of the drive has the wrong size: ${x.file ?? ''}.`, () => 'It is truncated or was modified; contact the provider.'],
    E_FORMAT_PART_HASH: [(x) => `A part of the drive is damaged or was replaced: ${x.file ?? ''}.`, () => 'Contact the provider.'],
    E_FORMAT_PART_EXTRA: [(x) => `An unexpected file is on the drive: ${x.file ?? ''}.`, () => 'It is not part of the shipment; contact the provider.'],
    E_FORMAT_TAR: [() => 'The drive’s decrypted content is malformed.', () => 'Contact the provider.'],
    E_FORMAT_CONTENT_HASH: [(x) => `The file ${x.path ?? ''} does not match its checksum.`, () => 'It was not restored; contact the provider.'],
    E_FORMAT_UNSUPPORTED: [() => 'This drive uses a feature this version does not know.', () => 'Update Scellé.'],
    E_FORMAT_UNSAFE_ENTRY: [
      (x) =>
        `Dangerous item on the drive, refused: ${x.path ?? ''} (${x.reason === 'link' ? 'symbolic link' : x.reason === 'outside' ? 'outside the drive folder' : 'neither a regular file nor a real folder'}).`,
      () => 'Nothing was read or changed through it. The drive may have been tampered with: contact the provider (to erase the drive, first delete that item yourself).',
    ],
    E_FORMAT_LIMIT: [
      (x) => `The drive exceeds a limit of the format: ${x.what ?? ''} = ${x.value ?? ''} (at most ${x.max ?? ''}).`,
      () => 'A genuine drive never reaches this limit; it may be forged. Contact the provider.',
    ],
    E_KEY_UNLOCK_CODE_TYPO: [() => 'The unlock code has a typo.', () => 'Read it again character by character (dashes and spaces are optional).'],
    E_KEY_UNLOCK_CODE_FORMAT: [() => 'That is not an unlock code (wrong length or characters).', () => 'Enter the code you received separately, e.g. XXXX-XXXX-…'],
    E_KEY_WRONG: [() => 'This code or key does not open this drive.', () => 'Check that the code belongs to this drive (same drive number).'],
    E_KEY_FILE: [
      (x) =>
        x.reason === 'too-open'
          ? `The secret file ${x.path ?? ''} is accessible to group or others: it is refused.`
          : x.reason === 'wrong-owner'
            ? `The secret file ${x.path ?? ''} belongs to another user: it is refused.`
            : `Unusable key file: ${x.path ?? ''} (${x.problem ?? ''}).`,
      (x) =>
        x.reason === 'too-open'
          ? `Run: ${x.fix ?? 'chmod 600'}`
          : x.reason === 'wrong-owner'
            ? 'Use a file that belongs to you (or change its owner).'
            : 'Check the path, or create the key again with "scelle keygen".',
    ],
    E_KEY_NO_RECIPIENT: [() => 'No recipient: nobody could open this drive.', () => 'Keep the unlock code or add --recipient.'],
    E_SOURCE_NOT_FOUND: [(x) => `Source not found: ${x.path ?? ''}.`, () => 'Check the path.'],
    E_SOURCE_UNREADABLE: [(x) => `Cannot read ${x.path ?? ''}.`, () => 'Fix its permissions, or leave it out of the sources.'],
    E_SOURCE_CHANGED: [(x) => `The file ${x.path ?? ''} changed while being sealed.`, () => 'Make sure nothing writes to the sources, then seal again.'],
    E_SOURCE_UNSUPPORTED: [(x) => `${x.path ?? ''} is a ${x.kind ?? 'special file'} and cannot be sealed.`, () => 'Leave it out of the sources.'],
    E_TARGET_NOT_FOUND: [(x) => `Target folder not found: ${x.path ?? ''}.`, () => 'Plug the drive in and check the path.'],
    E_TARGET_READ_ONLY: [(x) => `Cannot write to the target ${x.path ?? ''}.`, () => 'The drive is read-only or protected; use another drive or folder.'],
    E_TARGET_FULL: [() => 'The target drive is full.', () => 'Free space or use a larger drive, then resume with "scelle seal --resume".'],
    E_TARGET_NOT_EMPTY: [(x) => `An unfinished seal is already on the target: ${x.path ?? ''}.`, () => 'Resume it with --resume, or delete that folder.'],
    E_TARGET_TOO_SMALL: [
      (x) => `The drive is too small: ${fmtBytes(Number(x.needed ?? 0), 'en')} needed, ${fmtBytes(Number(x.free ?? 0), 'en')} free.`,
      () => 'Use a larger drive or less data.',
    ],
    E_TARGET_IO: [(x) => `Write error on the target (${x.errno ?? ''}).`, () => 'Check the drive and its cable, then resume with "scelle seal --resume".'],
    E_TARGET_UNSUPPORTED: [() => 'The target’s file system refuses files this large.', () => 'Use a smaller --part-size, or format the drive as exFAT or NTFS.'],
    E_RESUME_MISMATCH: [
      (x) => (x.reason === 'set-member' ? 'This drive is an unfinished member of a set: it cannot be resumed alone.' : 'This seal cannot be resumed.'),
      (x) =>
        x.reason === 'set-member'
          ? 'Resume the set: "scelle seal <sources> --resume --next-drive --to <unfinished drive>" (and --to for each drive still attached).'
          : 'Delete the unfinished folder and seal again.',
    ],
    E_CANCELLED: [() => 'Cancelled.', () => 'A cancelled seal can be resumed with "scelle seal --resume".'],
    E_RESTORE_EXISTS: [
      (x) =>
        x.reason === 'not-a-folder'
          ? `"${x.path ?? ''}" exists and is not a folder; the drive restores a folder there.`
          : x.reason === 'is-a-folder'
            ? `"${x.path ?? ''}" is a folder; the drive restores a file there.`
            : `${counted('en', 'filesExist', Number(x.count ?? 1))}, e.g. ${x.path ?? ''}.`,
      (x) =>
        x.reason === 'not-a-folder' || x.reason === 'is-a-folder'
          ? 'Move it aside, or choose another destination folder.'
          : 'Choose an empty folder, or add --overwrite to replace them.',
    ],
    E_RESTORE_UNSAFE_PATH: [(x) => `Refusing to restore "${x.path ?? ''}": that path would leave the destination folder.`, () => 'Nothing was written; contact the provider.'],
    E_RESTORE_NOT_IN_INDEX: [(x) => `Not on this drive: ${x.path ?? ''}.`, () => 'See the list with "scelle list".'],
    E_SET_MISMATCH: [(x) => `These drives are not members of one set${x.path ? ` (${x.path})` : ''}.`, () => 'Give each member drive of one sealed set once.'],
    E_SET_MEMBER_MISSING: [
      (x) => `These bytes are on drive ${x.position ?? '?'} of the set (${x.driveId ?? '?'}), which is not attached.`,
      () => 'Attach that drive and give its folder too.',
    ],
    E_RESTORE_UNSAFE_LINK: [
      (x) => `${counted('en', 'unsafeLinks', Number(x.count ?? 1))}, e.g. "${x.path ?? ''}" -> "${x.target ?? ''}".`,
      () => 'Nothing was written. If you trust this drive, run again with --allow-outward-links (each such link is reported).',
    ],
    E_CARRIER_INVALID: [
      (x) => carrierReasonEn(x),
      (x) =>
        x.reason === 'unknown-format' || x.reason === 'other-shape'
          ? 'Read the number again on the label; for a carrier not on the list, use --other-carrier "<name>".'
          : 'Read the number again on the label (spaces and dashes are optional).',
    ],
    E_CUSTODY_CHAIN: [
      (x) =>
        x.reason === 'no-provider-lineage'
          ? `This machine has no chain of custody for drive ${x.driveId ?? ''}: it did not seal it here.`
          : x.reason === 'no-events'
            ? `No custody event known for drive ${x.driveId ?? ''} on this machine.`
            : `Custody event refused: it does not extend the chain correctly${x.field ? ` (${x.field})` : ''}.`,
      (x) =>
        x.reason === 'no-provider-lineage' || x.reason === 'no-events'
          ? 'Use the station that sealed the drive, or ask the service with "scelle custody lookup".'
          : 'See "scelle custody verify" and contact support.',
    ],
    E_CUSTODY_SIGNATURE: [() => 'A custody event’s signature is invalid.', () => 'Check the station key ("scelle setup") and contact support.'],
    E_CUSTODY_JOURNAL: [
      (x) =>
        x.record !== undefined
          ? `The local custody journal is damaged or was modified (record ${x.record}${x.file ? ` of ${x.file}` : ''}).`
          : x.pid !== undefined
            ? `The local custody journal is in use by another process (pid ${x.pid}).`
            : `The local custody journal cannot be read or written${x.file ? ` (${x.file})` : x.dir ? ` (${x.dir})` : ''}.`,
      (x) =>
        x.record !== undefined
          ? 'Nothing was repaired automatically: keep the file and contact support.'
          : 'Wait for the other command to finish, check disk space and permissions, then try again.',
    ],
    E_CUSTODY_SYNC: [
      (x) =>
        x.status
          ? `The custody service refused the request (HTTP ${x.status}${x.serverCode ? `, ${x.serverCode}` : ''}).`
          : 'The custody service’s answer is invalid or does not verify.',
      (x) =>
        x.status === 401 || x.status === 403
          ? 'Check the token (--token-file) and its rights.'
          : 'Check the service address and key ("scelle custody config"); the events stay queued.',
    ],
    E_CUSTODY_OFFLINE: [
      (x) => `The custody service cannot be reached${x.pending !== undefined ? `: ${counted('en', 'eventsQueued', Number(x.pending))}` : ''}.`,
      () => 'Check the network connection and run "scelle custody sync" again later; nothing is lost.',
    ],
    E_USAGE: [(x) => `Incorrect command${x.reason ? `: ${x.reason}` : ''}.`, () => 'See "scelle --help".'],
    E_KEY_INVALID: [() => 'A key is invalid (wrong length or unusable X25519 point).', () => 'Check the key file, or create it again with "scelle keygen".'],
    E_KEY_CUSTOMER_NEEDED: [
      () => 'This drive was sealed for a customer key: receipts must be signed with that key, which is not here.',
      () => 'Give your customer key with --customer-key <file>.',
    ],
    E_IPC_INVALID: [() => 'Internal request refused.', () => 'Restart the application; if it persists, report it to support.'],
    E_CUSTODY_MERKLE: [() => 'The custody service’s log is not consistent with what it published before.', () => 'Do not trust this answer; report it to support.'],
    E_SERVER_CONFIG: [() => 'The service configuration is invalid.', () => 'See docs/SERVER.md.'],
    E_PROVIDER_CONFIG: [
      (x) => `The provider configuration built into this version is unusable: ${x.path ?? ''} (${x.problem ?? ''}).`,
      () => 'Reinstall Scellé from the provider’s official installer.',
    ],
    E_STATION_CERTIFICATE_EXPIRED: [
      (x) =>
        `The certificate of station ${x.stationId ?? ''} expired on ${String(x.expiresAt ?? '').slice(0, 10)}: no drive was sealed, since every reader would judge it expired.`,
      () => 'Renew the certificate with the custody service ("scelle station renew" or "scelle custody sync"), then seal again.',
    ],
    E_STATION_RENEWAL: [
      (x) => `The custody service did not renew the station's certificate (${x.problem ?? ''}).`,
      () => 'The current certificate is kept. If the station was revoked or is not enrolled, contact the provider’s administrator.',
    ],
    E_REVOCATION_LIST: [
      (x) => `Revocation list refused (${x.problem ?? ''}).`,
      () => 'Get the current list from the provider’s custody service; a list older than the one already held is never accepted.',
    ],
    E_UPDATE_SIGNATURE: [
      (x) => `Update refused: it is not signed by the provider or does not match what the provider signed (${x.problem ?? ''}).`,
      () => 'Nothing was installed. Report it to the provider’s support.',
    ],
    E_SERVER_DATABASE: [() => 'The service database cannot be reached.', () => 'Check DATABASE_URL and that the database is running.'],
    E_INTERNAL: [() => 'Internal error.', () => 'Try again; if it persists, report it to support.'],
  },
};

/** The sentence and next step for an error code (generic ones for codes without an entry). */
export function errorSentence(lang: Lang, code: ScelleErrorCode, details: Details): { message: string; hint: string } {
  const entry = ERRORS[lang][code] ?? ERRORS[lang].E_INTERNAL!;
  return { message: entry[0](details), hint: entry[1](details) };
}

/** Human-readable bytes (binary units, localized decimal separator). */
export function fmtBytes(n: number, lang: Lang): string {
  const units = lang === 'fr' ? ['o', 'Kio', 'Mio', 'Gio', 'Tio'] : ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = i === 0 ? String(v) : v.toFixed(1);
  return `${lang === 'fr' ? s.replace('.', ',') : s} ${units[i]}`;
}

/** Codes without a sentence, for the completeness test. */
export function missingErrorSentences(codes: readonly ScelleErrorCode[]): string[] {
  const out: string[] = [];
  for (const lang of ['fr', 'en'] as const) for (const c of codes) if (!ERRORS[lang][c]) out.push(`${lang}:${c}`);
  return out;
}
