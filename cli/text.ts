/** The command line's help and messages, fr-CA and en at parity (a test checks the keys). */
import type { Lang } from './messages.js';

const fr = {
  usage: `scelle — sceller des données sur un disque chiffré, le vérifier et l’ouvrir (format scelle/1)

Utilisation :
  scelle seal <source>… --to <dossier-cible> [options]   sceller des fichiers et dossiers
  scelle verify <disque>… [clé]                           vérifier un disque (sans clé : le support)
  scelle list <disque>… [chemin] [clé]                    lister un disque (tout, ou un dossier)
  scelle open <disque>… --to <dossier> [chemin…] [clé]    restaurer tout, des dossiers ou des fichiers
                          (un ensemble : donnez les dossiers des disques membres branchés, dans n’importe quel ordre)
  scelle keygen root|issuing|escrow|station|customer [--out <f>]   créer une clé (customer : votre clé client)
  scelle certify --root-key <f> --station-pub <f> --id <id> --out <f>   certifier un poste par la racine
  scelle certify --root-key <f> --issuing-pub <f> --id <id> --out <f> [--days <n>] [--max-station-days <n>]
                                                          certifier la clé émettrice du service de traçabilité
  scelle station renew [--days <n>]                       renouveler le certificat du poste auprès du service
  scelle revoke --root-key <f> --sequence <n> --out <f> [--entry <sha256>:<motif>[@<date>]]…
                                                          signer la liste des certificats révoqués
  scelle setup [--root <f.pub>] [--escrow <f.pub>] [--station-key <f>] [--certificate <f>]
               [--issuing-certificate <f>] [--revocations <f|https://…/v1/revocations>]
                                                          configurer ce poste (sans option : afficher)
  scelle ship <disque> --carrier <id> --tracking <numéro> [--order <réf>]
             [--other-carrier "<nom>"]                   enregistrer l’expédition (traçabilité)
  scelle erase <disque> [--overwrite] [--yes] [--as-station] [--record <f>] [clé]
                                                          effacement cryptographique (NIST SP 800-88)
  scelle custody show|verify <disque|id>                  chaîne de traçabilité locale
  scelle custody sync|lookup|config|rotate-token [options]  service de traçabilité

Clé (verify, list, open) — le code n’est jamais lu sur la ligne de commande par défaut :
  (rien)                  demande le code de déverrouillage (sans écho) ou le lit sur l’entrée standard
  --code-file <f>         lit le code dans un fichier (« - » : entrée standard)
  --identity <f>          clé secrète X25519 (séquestre ou destinataire)
  --unsafe-code <code>    code sur la ligne de commande (visible des autres processus : à éviter)
  --customer-key <f>      votre clé client (défaut : customer.key du dossier Scellé, si elle existe) :
                          ouvre un disque scellé pour elle et signe vos reçus de traçabilité

Options de seal :
  --to <dossier>          cible (point de montage du disque)
  --recipient <f.pub>     destinataire X25519 supplémentaire (répétable)
  --customer <f.pub|clé>  clé publique du client (scelle keygen customer) : destinataire du disque,
                          et seule clé qui peut signer ses reçus
  --no-unlock-code        pas de code de déverrouillage (il faut alors --recipient ou un séquestre)
  --no-escrow             ne pas ajouter le séquestre configuré
  --part-size <taille>    taille des parties (défaut 1G; réduite automatiquement sur FAT32)
  --resume                reprendre un scellement interrompu sur la cible (un ensemble : donnez le
                          disque inachevé et ceux encore branchés avec --to)
  Données plus grandes qu’un disque (un ensemble scellé) :
  --to <dossier> --to <dossier>…   disques membres déjà branchés, remplis dans cet ordre
  --next-drive            quand les disques donnés sont pleins, demander le suivant (son dossier
                          est lu au terminal ou sur l’entrée standard; ligne vide : annuler)
  --member-size <taille>  prévoir chaque membre pour au plus cette taille (défaut : l’espace libre
                          de chaque disque branché; pour les suivants, celui du premier)

Transporteurs (ship --carrier) : ups, fedex, usps, dhl, canada-post, purolator, canpar, upu-s10;
  un transporteur hors liste seulement avec --other-carrier "<nom>" (numéro non vérifié).
Options de erase : --overwrite réécrit aussi chaque partie avec des données aléatoires;
  --yes sans confirmation; --as-station signe avec la clé du poste (sinon la clé du disque
  est requise, comme pour open); --record <f> écrit le rapport d’assainissement (JSON).
Service de traçabilité (custody sync|lookup|config|rotate-token, station renew) : --service <url> --token-file <f>
  [--ca <f.pem>] [--service-key <clé|f>] (mémorisés par « scelle custody config »);
  lookup : --tracking <numéro> | --order <réf> | --drive <id>;
  sync renouvelle aussi le certificat du poste quand il lui reste moins du tiers de sa durée

Options générales :
  --json                  progression et résultat en JSON Lines sur la sortie standard
  --lang fr|en            langue (défaut : français; aussi SCELLE_LANG)
  --overwrite             (open) remplacer les fichiers existants
  --keep-modes            (open) garder les permissions du disque telles quelles (setuid, setgid,
                          sticky, écriture groupe/autres); par défaut, elles sont retirées
  --allow-outward-links   (open) créer aussi les liens absolus ou qui sortent du dossier de
                          destination (chacun est signalé); par défaut, ils arrêtent la restauration
  -h, --help              cette aide

Codes de sortie : 0 succès · 1 erreur · 2 commande incorrecte · 3 disque endommagé ou altéré ·
  4 code ou clé refusé · 5 problème de cible · 6 problème de source · 7 restauration refusée ·
  8 traçabilité non enregistrée (l’opération elle-même a réussi) ou journal illisible ·
  9 service de traçabilité injoignable (événements en attente) · 10 numéro de suivi refusé ·
  11 service de traçabilité : refus ou réponse invalide ·
  12 restauration partielle : des fichiers attendent un disque membre absent · 130 annulé ·
  141 sortie interrompue par le lecteur (ex. « scelle list | head »)
Configuration : $SCELLE_HOME (défaut : %s)`,
  stationCreated:
    'Nouveau poste local créé (%s) dans %s. Il n’est certifié par aucune racine du fournisseur : les disques qu’il scelle afficheront un avertissement. Pour le certifier : « scelle setup --certificate <f> ».',
  noEscrow: 'Aucun séquestre configuré : seul le code de déverrouillage ouvrira ce disque.',
  sealed: 'Disque scellé : %s (%s, %s, %s) dans %s',
  resumed: 'Scellement repris et terminé.',
  setSealed: 'Ensemble scellé : %s sur %s disques (%s, %s). Chaque disque part avec son bordereau et son propre numéro de suivi.',
  memberSealed: 'Disque %s sur %s scellé : %s (%s) dans %s',
  setUnused: 'Disque non utilisé (tout tenait sur les précédents) : %s',
  nextDrivePrompt: 'Branchez le disque %s sur %s de l’ensemble (%s libres requis), puis tapez son dossier (ligne vide : annuler) : ',
  nextDriveRefused: 'Ce dossier ne convient pas : %s',
  setMembers: 'Ensemble %s : disques présents %s sur %s.',
  memberAbsent: 'Disque %s sur %s (%s) absent : %s (%s) non restaurés, qui l’attendent :',
  memberAbsentList: 'Disque %s sur %s (%s) absent : %s et dossiers qu’il détient ne sont pas vérifiables ici.',
  notListed: '%s de l’ensemble ne sont listées par aucun des disques présents : branchez le dernier disque de l’ensemble pour les voir.',
  filesItHolds: 'les fichiers',
  waitsFor: '(attend le disque %s)',
  setVerified: 'Disque %s sur %s de l’ensemble %s : %s vérifiés sur ce disque, %s avec d’autres disques membres.',
  unlockCodeBanner: 'CODE DE DÉVERROUILLAGE — affiché une seule fois. Transmettez-le au client par un autre canal que le disque :',
  verifyOk: 'Disque %s intact (%s).',
  verifyBad: 'Disque %s : %s :',
  levelMedia: 'support vérifié sans clé : signature, tailles et empreintes',
  levelFull: 'vérification complète : chaque segment authentifié et chaque fichier contrôlé',
  certified: 'Poste %s certifié par une racine du fournisseur.',
  notCertified: 'ATTENTION : le poste %s qui a scellé ce disque n’est pas certifié par une racine épinglée (%s).',
  opened: '%s (%s) dans %s.',
  renamed: '%s, par exemple « %s » → « %s ».',
  outwardLink: 'Lien absolu ou sortant du dossier de destination créé à votre demande : « %s » → « %s ».',
  promptCode: 'Code de déverrouillage : ',
  unsafeCode: 'Attention : un code passé sur la ligne de commande est visible des autres processus et de l’historique.',
  keyWritten: 'Clé écrite : %s (publique : %s)',
  certWritten: 'Certificat écrit : %s',
  setupShow: 'Configuration : %s\n  poste : %s (%s)\n  racines épinglées : %s\n  séquestre : %s',
  certifiedYes: 'certifié',
  certifiedNo: 'non certifié',
  none: 'aucun',
  missing: 'absent',
  setupDone: 'Configuration mise à jour.',
  cancelledResume: 'Scellement interrompu : reprenez avec « scelle seal %s --to %s --resume ».',
  setStoppedAtNextDrive:
    'Scellement arrêté en attendant le disque suivant : les disques déjà scellés sont complets et peuvent être débranchés. Quand le disque suivant sera là, poursuivez l’ensemble avec « scelle seal %s --resume --next-drive --to <disque suivant> » (même code de déverrouillage).',
  cancelledResumeSet:
    'Scellement de l’ensemble interrompu : les disques déjà scellés sont complets. Reprenez avec « scelle seal %s --resume --next-drive --to <disque inachevé> » (et --to pour chaque disque encore branché).',
  listHeader: '%s, %s',
  reasonNoCertificate: 'poste local sans certificat',
  reasonUnknownRoot: 'certifié par une racine inconnue de ce poste',
  reasonExpired: 'certificat expiré',
  reasonInvalid: 'certificat invalide',
  reasonIssuerExpired: 'la clé émettrice du fournisseur n’était pas valide',
  reasonBrokenChain: 'certificat qui ne remonte pas correctement à la racine du fournisseur (clé émettrice)',
  trustGenuine: 'Origine authentique : poste %s certifié par le fournisseur, scellement confirmé par le service de traçabilité (%s).',
  trustUnconfirmed:
    'Origine authentique selon ce poste, pas encore confirmée en ligne : poste %s certifié à la date du manifeste (%s). Synchronisez la traçabilité pour la confirmer.',
  trustLocal: 'Origine : poste local %s, non certifié par le fournisseur.',
  trustForged: 'ATTENTION : origine non reconnue. Le certificat du poste %s n’est pas un certificat valide du fournisseur (%s) : ce disque peut être contrefait.',
  trustRevoked: 'ATTENTION : le fournisseur a révoqué le certificat du poste %s (le %s, motif : %s).',
  trustIssuerRevoked: 'ATTENTION : le fournisseur a révoqué la clé émettrice qui a certifié le poste %s (le %s, motif : %s).',
  trustExpired: 'ATTENTION : le certificat du poste %s n’était pas valide au moment du scellement (%s, selon %s).',
  timeFromReceipt: 'le reçu du service de traçabilité',
  timeFromManifest: 'la date inscrite au manifeste',
  revocationsStored: 'Liste de révocation n° %s enregistrée (certificats révoqués : %s).',
  revocationsNotRefreshed: 'La liste de révocation du fournisseur n’a pas été mise à jour (%s); la liste déjà conservée reste utilisée.',
  revocationWritten: 'Liste de révocation écrite : %s (n° %s, certificats révoqués : %s).',
  custodyRecorded: 'Traçabilité : événement « %s » enregistré pour le disque %s.',
  custodyNotRecorded: 'ATTENTION : l’opération a réussi, mais son événement de traçabilité n’a pas pu être enregistré dans le journal local. %s %s',
  custodyAlreadyReceived: 'Traçabilité : la réception du disque %s est déjà enregistrée sur ce poste.',
  custodyNeedsCustomerKey:
    'Traçabilité : rien d’enregistré. Ce disque a été scellé pour une clé client que ce poste n’a pas ; donnez-la avec --customer-key <fichier> pour signer la réception.',
  custodyNoSigner: 'Traçabilité : rien d’enregistré (ni clé de poste ayant scellé ce disque ici, ni clé du disque pour signer).',
  evSealed: 'scellé',
  evVerified: 'vérifié',
  evShipped: 'expédié',
  evDelivered: 'livré',
  evReceived: 'reçu',
  evOpened: 'ouvert',
  evErased: 'effacé',
  evIncident: 'incident',
  evNote: 'note',
  lineageProvider: 'fournisseur',
  lineageCustomer: 'client',
  statusOk: 'valide',
  statusWarning: 'avertissement',
  statusInvalid: 'INVALIDE',
  syncedYes: 'synchronisé',
  syncedPending: 'en attente',
  syncedRejected: 'refusé par le service',
  chainHeader: 'Chaîne de traçabilité du disque %s : %s',
  chainOk: 'Chaîne de traçabilité du disque %s intègre : %s.',
  chainWarn: 'Chaîne de traçabilité du disque %s authentique, avec %s :',
  chainBad: 'Chaîne de traçabilité du disque %s : %s :',
  chainNoEvents: 'Aucun événement de traçabilité connu pour le disque %s sur ce poste.',
  att_customer_key: 'attesté par la clé du client',
  att_data_key: 'clé des données seulement (le poste et le séquestre l’ont aussi)',
  att_none: 'NON attesté par le client',
  att_unknown: 'attestation pas encore connue',
  chainProviderPending:
    'La partie fournisseur de la chaîne du disque %s n’est pas encore connue ici (service injoignable ou non configuré) : les événements du client sont signés et liés, mais leur auteur sera confirmé avec la copie du service (scelle custody config, puis scelle custody verify).',
  chainMergedService: 'Copie du service fusionnée : %s.',
  chainServiceUnreachable: 'Service de traçabilité injoignable, ou consultation refusée (jeton) : vérification avec la copie locale seulement.',
  chainRecovered: 'Journal réparé à l’ouverture : un enregistrement interrompu a été retiré de %s (copie : %s).',
  cp_malformed: 'événement mal formé (%s)',
  'cp_bad-signature': 'signature invalide : l’événement a été modifié (%s)',
  'cp_unknown-key': 'clé de signature inconnue de ce poste (%s)',
  'cp_revoked-key': 'clé de signature révoquée (%s)',
  'cp_wrong-author': 'auteur non autorisé : pas la clé du client de ce disque ou mauvais ancrage (%s)',
  'cp_missing-genesis': 'début de chaîne manquant : aucun événement « scellé » connu (%s)',
  cp_gap: 'événement manquant dans la chaîne (%s)',
  cp_fork: 'embranchement : deux événements occupent la même place (%s)',
  cp_altered: 'lien rompu : l’événement précédent a été modifié ou remplacé (%s)',
  cp_reordered: 'événements enregistrés dans le désordre (%s)',
  'cp_time-backwards': 'l’horloge recule par rapport à l’événement précédent (%s)',
  cp_duplicate: 'même identifiant avec un contenu différent (%s)',
  an_delivered_before_shipped: 'anomalie : livraison inscrite avant toute expédition (%s)',
  an_received_before_shipped: 'anomalie : réception inscrite avant toute expédition (%s)',
  an_opened_before_shipped: 'anomalie : ouverture inscrite avant toute expédition (%s)',
  an_verified_after_delivery: 'anomalie : vérification après la livraison, sans retour du disque (%s)',
  an_verified_after_erased: 'anomalie : vérification après l’effacement du disque (%s)',
  an_received_after_erased: 'anomalie : réception après l’effacement du disque (%s)',
  an_opened_after_erased: 'anomalie : ouverture après l’effacement du disque (%s)',
  setMemberOf: 'Membre %s sur %s de l’ensemble scellé %s.',
  setViewService: 'Membres de l’ensemble %s (copie du service et journal de ce poste) :',
  setViewLocal: 'Membres de l’ensemble %s (journal de ce poste seulement) :',
  setMemberLine: '  %s. disque %s : %s',
  setMemberUnknown: 'inconnu ici',
  setIncident: 'incident ouvert (%s)',
  incidentKind_lost: 'perdu',
  incidentKind_damaged: 'endommagé',
  incidentKind_returned: 'retourné',
  incidentKind_other: 'autre',
  setTracking: 'numéro %s (%s)',
  sp_set_mismatch: 'le disque %s décrit l’ensemble autrement que ses autres membres',
  sp_set_member_unknown: 'aucun événement « scellé » authentique du disque %s n’est connu ici',
  shipped: 'Expédition enregistrée : disque %s, %s, numéro %s.',
  trackingLink: 'Suivi : %s',
  noTrackingLink: 'Aucune page de suivi connue pour ce transporteur.',
  otherCarrierWarning:
    'ATTENTION : transporteur hors liste « %s » : le numéro %s n’a été vérifié que sur sa forme (aucun chiffre de contrôle). Relisez-le sur le bordereau. Le nom du transporteur n’est pas inscrit dans la chaîne (carrier = other).',
  noCheckDigitWarning: 'Ce format de numéro n’a pas de chiffre de contrôle : une faute de frappe ne peut pas être détectée.',
  eraseConfirm: 'Effacer définitivement le disque %s (%s) ? Les données deviendront irrécupérables. Tapez « oui » pour confirmer : ',
  eraseAborted: 'Effacement abandonné : rien n’a été modifié.',
  erased: 'Disque %s effacé (%s) : %s, %s.',
  eraseVerifyPass: 'Vérification : réussie (plus aucun fichier de clé; le dossier ne s’ouvre plus comme disque scellé).',
  eraseVerifyFail: 'Vérification : ÉCHEC : %s',
  eraseLeftovers: 'Fichiers étrangers au disque laissés en place dans %s : %s',
  eraseMethodCrypto: 'effacement cryptographique, purge',
  eraseMethodOverwrite: 'effacement cryptographique et réécriture aléatoire, clear',
  recordWritten: 'Rapport d’assainissement (NIST SP 800-88) écrit : %s',
  syncDone: 'Synchronisation : %s, %s, %s, %s.',
  syncRejectedLine: '  refusé : %s (%s) : %s',
  syncDeferredLine: '  en attente : %s (%s)',
  syncCheckpoint: 'Point de contrôle du service vérifié : %s dans le registre.',
  lookupNone: 'Aucun disque trouvé.',
  lookupDrive: 'Disque %s : %s, %s; vérification locale : %s; selon le service : %s.',
  configShow: 'Service de traçabilité : %s\n  fichier du jeton : %s\n  autorité de certification : %s\n  clés du service : %s',
  configDone: 'Configuration de traçabilité écrite : %s',
  tokenDropped: 'Le jeton de %s n’est plus utilisé : il a été émis pour un autre service. Donnez --token-file avec un jeton émis pour %s (réinscription du poste).',
  tokenRotated: 'Jeton remplacé dans %s (valide jusqu’au %s).',
  certificateRenewed: 'Certificat du poste %s renouvelé par le service de traçabilité : valide jusqu’au %s.',
  certificateNotRenewed: 'Le certificat du poste n’a pas été renouvelé (%s); le certificat actuel reste utilisé. Réessayez avec « scelle station renew ».',
  issuingCertWritten:
    'Certificat de la clé émettrice écrit : %s (valide jusqu’au %s; certificats de poste d’au plus %s). Installez-le sur le service de traçabilité avec la clé émettrice (docs/SERVER.md).',
};

const en: typeof fr = {
  usage: `scelle — seal data onto an encrypted drive, verify it and open it (scelle/1 format)

Usage:
  scelle seal <source>… --to <target-folder> [options]   seal files and folders
  scelle verify <drive>… [key]                            verify a drive (no key: the media)
  scelle list <drive>… [path] [key]                       list a drive (all, or one folder)
  scelle open <drive>… --to <folder> [path…] [key]        restore all, folders or files
                          (a set: give the folders of the member drives attached, in any order)
  scelle keygen root|issuing|escrow|station|customer [--out <f>]   create a key (customer: your customer key)
  scelle certify --root-key <f> --station-pub <f> --id <id> --out <f>   certify a station with the root
  scelle certify --root-key <f> --issuing-pub <f> --id <id> --out <f> [--days <n>] [--max-station-days <n>]
                                                          certify the custody service's issuing key
  scelle station renew [--days <n>]                       renew the station's certificate with the service
  scelle revoke --root-key <f> --sequence <n> --out <f> [--entry <sha256>:<reason>[@<date>]]…
                                                          sign the list of revoked certificates
  scelle setup [--root <f.pub>] [--escrow <f.pub>] [--station-key <f>] [--certificate <f>]
               [--issuing-certificate <f>] [--revocations <f|https://…/v1/revocations>]
                                                          set up this station (no option: show)
  scelle ship <drive> --carrier <id> --tracking <number> [--order <ref>]
             [--other-carrier "<name>"]                  record the shipment (custody)
  scelle erase <drive> [--overwrite] [--yes] [--as-station] [--record <f>] [key]
                                                          cryptographic erase (NIST SP 800-88)
  scelle custody show|verify <drive|id>                   local chain of custody
  scelle custody sync|lookup|config|rotate-token [options]  custody service

Key (verify, list, open) — the code is never read from the command line by default:
  (nothing)               asks for the unlock code (no echo) or reads it from standard input
  --code-file <f>         reads the code from a file ("-": standard input)
  --identity <f>          X25519 secret key (escrow or recipient)
  --unsafe-code <code>    code on the command line (visible to other processes: avoid)
  --customer-key <f>      your customer key (default: customer.key in the Scellé folder, if any):
                          opens a drive sealed for it and signs your custody receipts

Seal options:
  --to <folder>           target (the drive's mount point)
  --recipient <f.pub>     extra X25519 recipient (repeatable)
  --customer <f.pub|key>  the customer's public key (scelle keygen customer): the drive's recipient,
                          and the only key that can sign their receipts
  --no-unlock-code        no unlock code (then --recipient or an escrow is needed)
  --no-escrow             do not add the configured escrow
  --part-size <size>      part size (default 1G; lowered automatically on FAT32)
  --resume                resume an interrupted seal on the target (a set: give the unfinished
                          drive and those still attached with --to)
  Data larger than one drive (a sealed set):
  --to <folder> --to <folder>…     member drives already attached, filled in this order
  --next-drive            when the drives given are full, ask for the next one (its folder is
                          read on the terminal or standard input; an empty line cancels)
  --member-size <size>    plan each member for at most this size (default: each attached drive's
                          free space; for the next ones, the first one's)

Carriers (ship --carrier): ups, fedex, usps, dhl, canada-post, purolator, canpar, upu-s10;
  a carrier not on the list only with --other-carrier "<name>" (number not checked).
Erase options: --overwrite also rewrites every part with random data; --yes skips the
  confirmation; --as-station signs with the station key (otherwise the drive's key is
  needed, as for open); --record <f> writes the sanitization record (JSON).
Custody service (custody sync|lookup|config|rotate-token, station renew): --service <url> --token-file <f>
  [--ca <f.pem>] [--service-key <key|f>] (remembered by "scelle custody config");
  lookup: --tracking <number> | --order <ref> | --drive <id>;
  sync also renews the station's certificate once less than a third of its life remains

General options:
  --json                  progress and result as JSON Lines on standard output
  --lang fr|en            language (default: French; also SCELLE_LANG)
  --overwrite             (open) replace existing files
  --keep-modes            (open) keep the drive's permissions as they are (setuid, setgid, sticky,
                          group/other write); by default they are dropped
  --allow-outward-links   (open) also create links that are absolute or leave the destination
                          folder (each is reported); by default they stop the restore
  -h, --help              this help

Exit codes: 0 success · 1 error · 2 incorrect command · 3 drive damaged or altered ·
  4 code or key refused · 5 target problem · 6 source problem · 7 restore refused ·
  8 custody not recorded (the operation itself succeeded) or journal unreadable ·
  9 custody service unreachable (events queued) · 10 tracking number refused ·
  11 custody service refused or answered badly ·
  12 partial restore: some files wait for a member drive that is not attached · 130 cancelled ·
  141 output closed by its reader (e.g. "scelle list | head")
Configuration: $SCELLE_HOME (default: %s)`,
  stationCreated: 'Created a new local station (%s) in %s. No provider root certifies it: drives it seals will show a warning. To certify it: "scelle setup --certificate <f>".',
  noEscrow: 'No escrow configured: only the unlock code will open this drive.',
  sealed: 'Drive sealed: %s (%s, %s, %s) in %s',
  resumed: 'Seal resumed and finished.',
  setSealed: 'Set sealed: %s on %s drives (%s, %s). Each drive ships with its own packing slip and tracking number.',
  memberSealed: 'Drive %s of %s sealed: %s (%s) in %s',
  setUnused: 'Drive not used (everything fit on the previous ones): %s',
  nextDrivePrompt: 'Attach drive %s of %s of the set (%s free needed), then type its folder (empty line: cancel): ',
  nextDriveRefused: 'This folder will not do: %s',
  setMembers: 'Set %s: drives present %s of %s.',
  memberAbsent: 'Drive %s of %s (%s) not attached: %s (%s) not restored, waiting for it:',
  memberAbsentList: 'Drive %s of %s (%s) not attached: %s and folders it holds cannot be checked here.',
  notListed: '%s of the set are listed by none of the drives present: attach the last drive of the set to see them.',
  filesItHolds: 'the files',
  waitsFor: '(waits for drive %s)',
  setVerified: 'Drive %s of %s of set %s: %s verified on this drive, %s with other member drives.',
  unlockCodeBanner: 'UNLOCK CODE — shown once. Send it to the customer by another channel than the drive:',
  verifyOk: 'Drive %s intact (%s).',
  verifyBad: 'Drive %s: %s:',
  levelMedia: 'media verified without a key: signature, sizes and checksums',
  levelFull: 'full verification: every segment authenticated and every file checked',
  certified: 'Station %s certified by a provider root.',
  notCertified: 'WARNING: station %s that sealed this drive is not certified by a pinned root (%s).',
  opened: '%s (%s) into %s.',
  renamed: '%s, e.g. "%s" → "%s".',
  outwardLink: 'Created, as you asked, a link that is absolute or leaves the destination folder: "%s" → "%s".',
  promptCode: 'Unlock code: ',
  unsafeCode: 'Warning: a code given on the command line is visible to other processes and in the history.',
  keyWritten: 'Key written: %s (public: %s)',
  certWritten: 'Certificate written: %s',
  setupShow: 'Configuration: %s\n  station: %s (%s)\n  pinned roots: %s\n  escrow: %s',
  certifiedYes: 'certified',
  certifiedNo: 'not certified',
  none: 'none',
  missing: 'missing',
  setupDone: 'Configuration updated.',
  cancelledResume: 'Seal interrupted: resume with "scelle seal %s --to %s --resume".',
  setStoppedAtNextDrive:
    'Seal stopped while waiting for the next drive: the drives already sealed are complete and can be detached. When the next drive is at hand, continue the set with "scelle seal %s --resume --next-drive --to <next drive>" (same unlock code).',
  cancelledResumeSet:
    'Set seal interrupted: the drives already sealed are complete. Resume with "scelle seal %s --resume --next-drive --to <unfinished drive>" (and --to for each drive still attached).',
  listHeader: '%s, %s',
  reasonNoCertificate: 'local station without a certificate',
  reasonUnknownRoot: 'certified by a root this machine does not pin',
  reasonExpired: 'certificate expired',
  reasonInvalid: 'invalid certificate',
  reasonIssuerExpired: 'the provider’s issuing key was not valid',
  reasonBrokenChain: 'certificate that does not chain properly to the provider’s root (issuing key)',
  trustGenuine: 'Genuine origin: station %s certified by the provider, sealing confirmed by the custody service (%s).',
  trustUnconfirmed: "Genuine origin as far as this machine can tell, not yet confirmed online: station %s certified at the manifest's date (%s). Sync custody to confirm it.",
  trustLocal: 'Origin: local station %s, not certified by the provider.',
  trustForged: 'WARNING: unrecognised origin. The certificate of station %s is not a valid provider certificate (%s): this drive may be forged.',
  trustRevoked: 'WARNING: the provider revoked the certificate of station %s (on %s, reason: %s).',
  trustIssuerRevoked: 'WARNING: the provider revoked the issuing key that certified station %s (on %s, reason: %s).',
  trustExpired: 'WARNING: the certificate of station %s was not valid when the drive was sealed (%s, according to %s).',
  timeFromReceipt: "the custody service's receipt",
  timeFromManifest: 'the date written in the manifest',
  revocationsStored: 'Revocation list no. %s stored (revoked certificates: %s).',
  revocationsNotRefreshed: "The provider's revocation list was not updated (%s); the list already held is still used.",
  revocationWritten: 'Revocation list written: %s (no. %s, revoked certificates: %s).',
  custodyRecorded: 'Custody: "%s" event recorded for drive %s.',
  custodyNotRecorded: 'WARNING: the operation succeeded, but its custody event could not be written to the local journal. %s %s',
  custodyAlreadyReceived: 'Custody: the receipt of drive %s is already recorded on this machine.',
  custodyNeedsCustomerKey:
    'Custody: nothing recorded. This drive was sealed for a customer key this machine does not have; give it with --customer-key <file> to sign the receipt.',
  custodyNoSigner: 'Custody: nothing recorded (no station key that sealed this drive here, no drive key to sign with).',
  evSealed: 'sealed',
  evVerified: 'verified',
  evShipped: 'shipped',
  evDelivered: 'delivered',
  evReceived: 'received',
  evOpened: 'opened',
  evErased: 'erased',
  evIncident: 'incident',
  evNote: 'note',
  lineageProvider: 'provider',
  lineageCustomer: 'customer',
  statusOk: 'valid',
  statusWarning: 'warning',
  statusInvalid: 'INVALID',
  syncedYes: 'synced',
  syncedPending: 'pending',
  syncedRejected: 'refused by the service',
  chainHeader: 'Chain of custody of drive %s: %s',
  chainOk: 'Chain of custody of drive %s intact: %s.',
  chainWarn: 'Chain of custody of drive %s authentic, with %s:',
  chainBad: 'Chain of custody of drive %s: %s:',
  chainNoEvents: 'No custody event known for drive %s on this machine.',
  att_customer_key: "attested by the customer's key",
  att_data_key: 'data key only (the station and escrow have it too)',
  att_none: 'NOT attested by the customer',
  att_unknown: 'attestation not yet known',
  chainProviderPending:
    "The provider part of the chain of drive %s is not yet known here (service unreachable or not configured): the customer's events are signed and linked, and their author will be confirmed with the service's copy (scelle custody config, then scelle custody verify).",
  chainMergedService: 'Service copy merged: %s.',
  chainServiceUnreachable: 'Custody service unreachable, or the lookup was refused (token): verified with the local copy only.',
  chainRecovered: 'Journal repaired on opening: an interrupted record was cut from %s (copy: %s).',
  cp_malformed: 'malformed event (%s)',
  'cp_bad-signature': 'invalid signature: the event was modified (%s)',
  'cp_unknown-key': 'signing key unknown to this machine (%s)',
  'cp_revoked-key': 'revoked signing key (%s)',
  'cp_wrong-author': 'unauthorized author: not this drive’s customer key, or wrong anchor (%s)',
  'cp_missing-genesis': 'start of chain missing: no "sealed" event known (%s)',
  cp_gap: 'an event is missing from the chain (%s)',
  cp_fork: 'fork: two events hold the same place (%s)',
  cp_altered: 'broken link: the previous event was modified or replaced (%s)',
  cp_reordered: 'events recorded out of order (%s)',
  'cp_time-backwards': 'the clock goes backwards from the previous event (%s)',
  cp_duplicate: 'same id with different content (%s)',
  an_delivered_before_shipped: 'anomaly: delivery recorded before any shipment (%s)',
  an_received_before_shipped: 'anomaly: receipt recorded before any shipment (%s)',
  an_opened_before_shipped: 'anomaly: opening recorded before any shipment (%s)',
  an_verified_after_delivery: 'anomaly: verified after delivery, with no return of the drive (%s)',
  an_verified_after_erased: 'anomaly: verified after the drive was erased (%s)',
  an_received_after_erased: 'anomaly: receipt recorded after the drive was erased (%s)',
  an_opened_after_erased: 'anomaly: opening recorded after the drive was erased (%s)',
  setMemberOf: 'Member %s of %s of sealed set %s.',
  setViewService: "Members of set %s (the service's copy and this machine's journal):",
  setViewLocal: "Members of set %s (this machine's journal only):",
  setMemberLine: '  %s. drive %s: %s',
  setMemberUnknown: 'not known here',
  setIncident: 'open incident (%s)',
  incidentKind_lost: 'lost',
  incidentKind_damaged: 'damaged',
  incidentKind_returned: 'returned',
  incidentKind_other: 'other',
  setTracking: 'tracking %s (%s)',
  sp_set_mismatch: 'drive %s describes the set differently from its other members',
  sp_set_member_unknown: 'no authentic "sealed" event of drive %s is known here',
  shipped: 'Shipment recorded: drive %s, %s, number %s.',
  trackingLink: 'Tracking: %s',
  noTrackingLink: 'No tracking page is known for this carrier.',
  otherCarrierWarning:
    'WARNING: carrier not on the list "%s": number %s was only checked for its shape (no check digit). Read it again on the label. The carrier’s name is not written into the chain (carrier = other).',
  noCheckDigitWarning: 'This number format has no check digit: a typo cannot be caught.',
  eraseConfirm: 'Permanently erase drive %s (%s)? The data will be unrecoverable. Type "yes" to confirm: ',
  eraseAborted: 'Erase abandoned: nothing was changed.',
  erased: 'Drive %s erased (%s): %s, %s.',
  eraseVerifyPass: 'Verification: passed (no key file left; the folder no longer opens as a sealed drive).',
  eraseVerifyFail: 'Verification: FAILED: %s',
  eraseLeftovers: 'Files foreign to the drive left in place in %s: %s',
  eraseMethodCrypto: 'cryptographic erase, purge',
  eraseMethodOverwrite: 'cryptographic erase and random overwrite, clear',
  recordWritten: 'Sanitization record (NIST SP 800-88) written: %s',
  syncDone: 'Sync: %s, %s, %s, %s.',
  syncRejectedLine: '  refused: %s (%s): %s',
  syncDeferredLine: '  pending: %s (%s)',
  syncCheckpoint: 'Service checkpoint verified: %s in the log.',
  lookupNone: 'No drive found.',
  lookupDrive: 'Drive %s: %s, %s; local check: %s; according to the service: %s.',
  configShow: 'Custody service: %s\n  token file: %s\n  certificate authority: %s\n  service keys: %s',
  configDone: 'Custody configuration written: %s',
  tokenDropped: 'The token in %s is no longer used: it was issued for another service. Give --token-file with a token issued for %s (enrol the station again).',
  tokenRotated: 'Token replaced in %s (valid until %s).',
  certificateRenewed: 'Certificate of station %s renewed by the custody service: valid until %s.',
  certificateNotRenewed: 'The station certificate was not renewed (%s); the current certificate is still used. Try again with "scelle station renew".',
  issuingCertWritten:
    'Issuing key certificate written: %s (valid until %s; station certificates of at most %s). Install it on the custody service with the issuing key (docs/SERVER.md).',
};

export const TEXT = { fr, en };
export type TextKey = keyof typeof fr;

/** A message with %s placeholders filled in order. */
export function t(lang: Lang, key: TextKey, ...args: (string | number)[]): string {
  let i = 0;
  return TEXT[lang][key].replace(/%s/g, () => String(args[i++] ?? ''));
}
