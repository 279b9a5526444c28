/**
 * The names and associated-data strings of a scelle/1 drive folder (docs/FORMAT.md §1, §3, §4):
 * what an independent reader must know to find and decrypt each stream.
 */

/** A drive folder is named `SCELLE-<driveId>` (informative: the signed manifest's id counts). */
export const DRIVE_DIR_PREFIX = 'SCELLE-';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const INDEX_FILE = 'index.scx';
export const PAYLOAD_DIR = 'payload';
export const README_FILE = 'LISEZMOI-README.txt';

/** Relative path (in the drive folder) at which Scellé writes part `n`. */
export function partFileName(n: number): string {
  return `${PAYLOAD_DIR}/part-${String(n).padStart(5, '0')}.scx`;
}

/** Associated data (HKDF info) of payload part `n`. */
export function payloadAssociatedData(driveId: string, n: number): string {
  return `scelle/1 payload ${driveId} part ${n}`;
}

/** Associated data (HKDF info) of the index stream. */
export function indexAssociatedData(driveId: string): string {
  return `scelle/1 index ${driveId}`;
}
