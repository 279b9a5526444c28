/** The command line's help and messages, fr-CA and en at parity (a test checks the keys). */
import type { Lang } from './messages.js';

const fr = {
  usage: `scelle — sceller des données sur un disque chiffré, le vérifier et l’ouvrir (format scelle/1)

Utilisation :
  scelle seal <source>… --to <dossier-cible> [options]   sceller des fichiers et dossiers
  scelle verify <disque> [clé]                            vérifier un disque (sans clé : le support)
  scelle list <disque> [clé]                              lister les fichiers d’un disque
  scelle open <disque> --to <dossier> [chemin…] [clé]     restaurer tout ou une partie
  scelle keygen root|escrow|station --out <fichier>       créer une clé
  scelle certify --root-key <f> --station-pub <f> --id <id> --out <f>   certifier un poste
  scelle setup [--root <f.pub>] [--escrow <f.pub>] [--station-key <f>] [--certificate <f>]
                                                          configurer ce poste (sans option : afficher)

Clé (verify, list, open) — le code n’est jamais lu sur la ligne de commande par défaut :
  (rien)                  demande le code de déverrouillage (sans écho) ou le lit sur l’entrée standard
  --code-file <f>         lit le code dans un fichier (« - » : entrée standard)
  --identity <f>          clé secrète X25519 (séquestre ou destinataire)
  --unsafe-code <code>    code sur la ligne de commande (visible des autres processus : à éviter)

Options de seal :
  --to <dossier>          cible (point de montage du disque)
  --recipient <f.pub>     destinataire X25519 supplémentaire (répétable)
  --no-unlock-code        pas de code de déverrouillage (il faut alors --recipient ou un séquestre)
  --no-escrow             ne pas ajouter le séquestre configuré
  --part-size <taille>    taille des parties (défaut 1G; réduite automatiquement sur FAT32)
  --resume                reprendre un scellement interrompu sur la cible

Options générales :
  --json                  progression et résultat en JSON Lines sur la sortie standard
  --lang fr|en            langue (défaut : français; aussi SCELLE_LANG)
  --overwrite             (open) remplacer les fichiers existants
  -h, --help              cette aide

Codes de sortie : 0 succès · 1 erreur · 2 commande incorrecte · 3 disque endommagé ou altéré ·
  4 code ou clé refusé · 5 problème de cible · 6 problème de source · 7 restauration refusée ·
  130 annulé
Configuration : $SCELLE_HOME (défaut : %s)`,
  stationCreated: 'Nouveau poste local créé (%s) dans %s. Il n’est certifié par aucune racine du fournisseur : les disques qu’il scelle afficheront un avertissement. Pour le certifier : « scelle setup --certificate <f> ».',
  noEscrow: 'Aucun séquestre configuré : seul le code de déverrouillage ouvrira ce disque.',
  sealed: 'Disque scellé : %s (%s fichiers, %s, %s parties) dans %s',
  resumed: 'Scellement repris et terminé.',
  unlockCodeBanner: 'CODE DE DÉVERROUILLAGE — affiché une seule fois. Transmettez-le au client par un autre canal que le disque :',
  verifyOk: 'Disque %s intact (%s).',
  verifyBad: 'Disque %s : %s problème(s) trouvé(s) :',
  levelMedia: 'support vérifié sans clé : signature, tailles et empreintes',
  levelFull: 'vérification complète : chaque segment authentifié et chaque fichier contrôlé',
  certified: 'Poste %s certifié par une racine du fournisseur.',
  notCertified: 'ATTENTION : le poste %s qui a scellé ce disque n’est pas certifié par une racine épinglée (%s).',
  opened: '%s fichiers restaurés (%s) dans %s, tous vérifiés.',
  renamed: '%s nom(s) adapté(s) à ce système, par exemple « %s » → « %s ».',
  promptCode: 'Code de déverrouillage : ',
  unsafeCode: 'Attention : un code passé sur la ligne de commande est visible des autres processus et de l’historique.',
  keyWritten: 'Clé écrite : %s (publique : %s)',
  certWritten: 'Certificat écrit : %s',
  setupShow: 'Configuration : %s\n  poste : %s (%s)\n  racines épinglées : %s\n  séquestre : %s',
  certifiedYes: 'certifié', certifiedNo: 'non certifié', none: 'aucun', missing: 'absent',
  setupDone: 'Configuration mise à jour.',
  cancelledResume: 'Scellement interrompu : reprenez avec « scelle seal %s --to %s --resume ».',
  listHeader: '%s fichiers, %s',
  reasonNoCertificate: 'poste local sans certificat',
  reasonUnknownRoot: 'certifié par une racine inconnue de ce poste',
  reasonExpired: 'certificat expiré',
  reasonInvalid: 'certificat invalide',
};

const en: typeof fr = {
  usage: `scelle — seal data onto an encrypted drive, verify it and open it (scelle/1 format)

Usage:
  scelle seal <source>… --to <target-folder> [options]   seal files and folders
  scelle verify <drive> [key]                             verify a drive (no key: the media)
  scelle list <drive> [key]                               list a drive's files
  scelle open <drive> --to <folder> [path…] [key]         restore all or some
  scelle keygen root|escrow|station --out <file>          create a key
  scelle certify --root-key <f> --station-pub <f> --id <id> --out <f>   certify a station
  scelle setup [--root <f.pub>] [--escrow <f.pub>] [--station-key <f>] [--certificate <f>]
                                                          set up this station (no option: show)

Key (verify, list, open) — the code is never read from the command line by default:
  (nothing)               asks for the unlock code (no echo) or reads it from standard input
  --code-file <f>         reads the code from a file ("-": standard input)
  --identity <f>          X25519 secret key (escrow or recipient)
  --unsafe-code <code>    code on the command line (visible to other processes: avoid)

Seal options:
  --to <folder>           target (the drive's mount point)
  --recipient <f.pub>     extra X25519 recipient (repeatable)
  --no-unlock-code        no unlock code (then --recipient or an escrow is needed)
  --no-escrow             do not add the configured escrow
  --part-size <size>      part size (default 1G; lowered automatically on FAT32)
  --resume                resume an interrupted seal on the target

General options:
  --json                  progress and result as JSON Lines on standard output
  --lang fr|en            language (default: French; also SCELLE_LANG)
  --overwrite             (open) replace existing files
  -h, --help              this help

Exit codes: 0 success · 1 error · 2 incorrect command · 3 drive damaged or altered ·
  4 code or key refused · 5 target problem · 6 source problem · 7 restore refused ·
  130 cancelled
Configuration: $SCELLE_HOME (default: %s)`,
  stationCreated: 'Created a new local station (%s) in %s. No provider root certifies it: drives it seals will show a warning. To certify it: "scelle setup --certificate <f>".',
  noEscrow: 'No escrow configured: only the unlock code will open this drive.',
  sealed: 'Drive sealed: %s (%s files, %s, %s parts) in %s',
  resumed: 'Seal resumed and finished.',
  unlockCodeBanner: 'UNLOCK CODE — shown once. Send it to the customer by another channel than the drive:',
  verifyOk: 'Drive %s intact (%s).',
  verifyBad: 'Drive %s: %s problem(s) found:',
  levelMedia: 'media verified without a key: signature, sizes and checksums',
  levelFull: 'full verification: every segment authenticated and every file checked',
  certified: 'Station %s certified by a provider root.',
  notCertified: 'WARNING: station %s that sealed this drive is not certified by a pinned root (%s).',
  opened: '%s files restored (%s) into %s, all verified.',
  renamed: '%s name(s) adapted to this system, e.g. "%s" → "%s".',
  promptCode: 'Unlock code: ',
  unsafeCode: 'Warning: a code given on the command line is visible to other processes and in the history.',
  keyWritten: 'Key written: %s (public: %s)',
  certWritten: 'Certificate written: %s',
  setupShow: 'Configuration: %s\n  station: %s (%s)\n  pinned roots: %s\n  escrow: %s',
  certifiedYes: 'certified', certifiedNo: 'not certified', none: 'none', missing: 'missing',
  setupDone: 'Configuration updated.',
  cancelledResume: 'Seal interrupted: resume with "scelle seal %s --to %s --resume".',
  listHeader: '%s files, %s',
  reasonNoCertificate: 'local station without a certificate',
  reasonUnknownRoot: 'certified by a root this machine does not pin',
  reasonExpired: 'certificate expired',
  reasonInvalid: 'invalid certificate',
};

export const TEXT = { fr, en };
export type TextKey = keyof typeof fr;

/** A message with %s placeholders filled in order. */
export function t(lang: Lang, key: TextKey, ...args: (string | number)[]): string {
  let i = 0;
  return TEXT[lang][key].replace(/%s/g, () => String(args[i++] ?? ''));
}
