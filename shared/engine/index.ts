/** The engine: seal, verify, list, open and inspect sealed drives (scelle/1). */
export type * from './api.js';
export { seal, findUnfinishedSeals, type SealInternals } from './seal/seal.js';
export { verify, type VerifyOptions } from './verify/verify.js';
export { list, listEntries, listEntryBatches, browseFolder, searchNames, openIndex, type ListOptions, type ListSummary } from './list.js';
export { open, type OpenDriveOptions, type OpenReport } from './restore/open.js';
export { closeUnlocked, loadDrive, resolveDriveDir, unlockDrive, type LoadedDrive, type UnlockedDrive } from './drive.js';
export {
  absentMembersFor,
  closeDrives,
  loadDrives,
  orderDrives,
  sourceDrives,
  unlockDrives,
  type AbsentMember,
  type DriveSource,
  type OpenedDrives,
  type SetView,
} from './set-drives.js';
export { DEFAULT_PART_PLAINTEXT_SIZE, inspectTarget } from './seal/target.js';
export { countSourceTotals, type SourceTotals } from './seal/count-sources.js';
export { eraseDrive, sanitizationData, type EraseOptions, type EraseReport, type ErasedMediaType } from './erase.js';

import type { DriveInfo } from './api.js';
import { loadDrive } from './drive.js';

/** What can be learned about a drive without a key (manifest, signature, certificate). */
export function inspect(driveDir: string, pinnedRoots: readonly Uint8Array[]): DriveInfo {
  return loadDrive(driveDir, pinnedRoots).info;
}
