/** Names of the files inside a drive folder `SCELLE-<driveId>/` (scelle/1 layout). */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UNLOCK_CODE_ALPHABET } from '../format/unlock-code.js';

export const DRIVE_DIR_PREFIX = 'SCELLE-';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const INDEX_FILE = 'index.scx';
export const PAYLOAD_DIR = 'payload';
export const README_FILE = 'LISEZMOI-README.txt';
/** Present only while a seal is unfinished; holds what a resume needs, never a key in clear. */
export const SEAL_STATE_FILE = '.seal-state.json';


/** A new random drive id: 16 Crockford base32 characters (80 bits; the unlock codes' alphabet). */
export function newDriveId(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += UNLOCK_CODE_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** The drive folder for `driveId` under `target`. */
export function driveDirFor(target: string, driveId: string): string {
  return join(target, DRIVE_DIR_PREFIX + driveId);
}

export { indexAssociatedData } from '../format/index-writer.js';

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
