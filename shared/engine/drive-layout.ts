/**
 * The engine's side of the drive folder: where it goes, the resume state and the notice. The
 * format's own names and associated data live in shared/format/layout.ts and drive-id.ts.
 */
import { join } from 'node:path';
import { DRIVE_DIR_PREFIX } from '../format/layout.js';

export { DRIVE_DIR_PREFIX, INDEX_FILE, MANIFEST_FILE, PAYLOAD_DIR, README_FILE, SIGNATURE_FILE, indexAssociatedData } from '../format/layout.js';
export { newDriveId } from '../format/drive-id.js';
/** Present only while a seal is unfinished; holds what a resume needs, never a key in clear. */
export const SEAL_STATE_FILE = '.seal-state.json';

/** The drive folder for `driveId` under `target`. */
export function driveDirFor(target: string, driveId: string): string {
  return join(target, DRIVE_DIR_PREFIX + driveId);
}

/** The bilingual notice written beside the sealed data. */
export function readmeText(driveId: string): string {
  return [
    `SCELLÉ — disque chiffré / encrypted drive ${driveId}`,
    '',
    'FRANÇAIS',
    'Ce dossier contient des données chiffrées (format scelle/1). Sans le code de déverrouillage',
    'transmis séparément, elles sont illisibles. Pour vérifier et ouvrir ce disque, installez',
    "l'application Scellé de votre fournisseur, ou utilisez la ligne de commande :",
    `  scelle verify "${DRIVE_DIR_PREFIX}${driveId}"`,
    `  scelle open "${DRIVE_DIR_PREFIX}${driveId}" --to <dossier>`,
    'Ne modifiez ni ne supprimez aucun fichier de ce dossier.',
    '',
    'ENGLISH',
    'This folder holds encrypted data (scelle/1 format). Without the unlock code sent to you',
    "separately it cannot be read. To check and open this drive, install your provider's",
    'Scellé application, or use the command line:',
    `  scelle verify "${DRIVE_DIR_PREFIX}${driveId}"`,
    `  scelle open "${DRIVE_DIR_PREFIX}${driveId}" --to <folder>`,
    'Do not change or delete any file in this folder.',
    '',
  ].join('\n');
}
