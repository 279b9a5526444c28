/**
 * What drive discovery reports about one attached volume, on every platform.
 */
import type { FileSystemKind } from './fs-kind.js';

/** One mounted volume on an attached disk, as found by the platform's tools. */
export interface AttachedDrive {
  /** Stable while attached: partition device (`/dev/sdb1`, `disk4s1`) or Windows volume id. */
  id: string;
  /** The whole disk holding the volume (`/dev/sdb`, `disk4`, `2` for Windows disk number). */
  disk: string;
  /** Volume label (may be empty). */
  label: string;
  /** Disk model or media name (may be empty). */
  model: string;
  /** Where the volume is mounted (`/media/tech/X`, `/Volumes/X`, `E:\`). */
  mountpoint: string;
  /** Size of the volume in bytes. */
  sizeBytes: number;
  /** Free bytes for an unprivileged writer, or null when unknown. */
  freeBytes: number | null;
  fileSystem: FileSystemKind;
  /** The file-system name as the platform tool printed it. */
  rawFileSystem: string;
  /** Removable media, hot-pluggable or on an external bus (USB, Thunderbolt...). */
  removable: boolean;
  /** Bus or transport in lowercase (`usb`, `sata`, `nvme`), or empty. */
  bus: string;
  readOnly: boolean;
  /** The disk holds the running system (/, the boot volume, C:\). Never offered. */
  isSystem: boolean;
}

/** Runs a program without a shell and resolves to its standard output (rejects on failure). */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string>;
