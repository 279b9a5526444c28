/**
 * Windows drive discovery through PowerShell's Get-Volume, Get-Partition and Get-Disk,
 * printed as JSON by the script below (enums cast to strings so every Windows version agrees).
 */
import { normalizeFileSystem } from './fs-kind.js';
import type { AttachedDrive } from './types.js';

/** The PowerShell script run with `powershell.exe -NoProfile -NonInteractive -Command`. */
export const WINDOWS_VOLUME_SCRIPT = [
  '$ErrorActionPreference = "Stop";',
  '$sys = $env:SystemDrive.TrimEnd(":");',
  '@(foreach ($v in (Get-Volume | Where-Object { $_.DriveLetter })) {',
  '  $p = Get-Partition -DriveLetter $v.DriveLetter -ErrorAction SilentlyContinue;',
  '  $d = if ($p) { Get-Disk -Number $p.DiskNumber -ErrorAction SilentlyContinue } else { $null };',
  '  [pscustomobject]@{ DriveLetter = [string]$v.DriveLetter; UniqueId = [string]$v.UniqueId; FileSystemLabel = [string]$v.FileSystemLabel;',
  '    FileSystem = [string]$v.FileSystem; Size = [int64]$v.Size; SizeRemaining = [int64]$v.SizeRemaining; DriveType = [string]$v.DriveType;',
  '    DiskNumber = if ($p) { [int]$p.DiskNumber } else { -1 }; BusType = if ($d) { [string]$d.BusType } else { "" };',
  '    IsBoot = [bool]($d -and $d.IsBoot); IsSystem = [bool]($d -and $d.IsSystem) -or ([string]$v.DriveLetter -eq $sys);',
  '    IsReadOnly = [bool]($d -and $d.IsReadOnly); FriendlyName = if ($d) { [string]$d.FriendlyName } else { "" } }',
  '}) | ConvertTo-Json -Depth 3 -Compress',
].join(' ');

interface WinVolume {
  DriveLetter?: string;
  UniqueId?: string;
  FileSystemLabel?: string;
  FileSystem?: string;
  Size?: number;
  SizeRemaining?: number;
  DriveType?: string;
  DiskNumber?: number;
  BusType?: string;
  IsBoot?: boolean;
  IsSystem?: boolean;
  IsReadOnly?: boolean;
  FriendlyName?: string;
}

const EXTERNAL_BUSES = new Set(['usb', '1394', 'sd', 'mmc']);

/**
 * Parses the script's JSON (an array, a single object when only one volume exists, or empty
 * output). A disk is the system disk when it is the boot or system disk or holds %SystemDrive%.
 * Throws a SyntaxError on malformed JSON.
 */
export function parseWindowsVolumes(json: string): AttachedDrive[] {
  if (json.trim() === '') return [];
  const parsed = JSON.parse(json) as WinVolume | WinVolume[];
  const volumes = Array.isArray(parsed) ? parsed : [parsed];
  const systemDisks = new Set(
    volumes
      .filter((v) => v.IsBoot || v.IsSystem)
      .map((v) => v.DiskNumber ?? -1)
      .filter((n) => n >= 0),
  );
  return volumes
    .filter((v) => v.DriveLetter)
    .map((v) => {
      const bus = (v.BusType ?? '').toLowerCase();
      const diskNumber = v.DiskNumber ?? -1;
      return {
        id: v.UniqueId || `${v.DriveLetter}:`,
        disk: String(diskNumber),
        label: v.FileSystemLabel ?? '',
        model: v.FriendlyName ?? '',
        mountpoint: `${v.DriveLetter}:\\`,
        sizeBytes: v.Size ?? 0,
        freeBytes: typeof v.SizeRemaining === 'number' ? v.SizeRemaining : null,
        fileSystem: normalizeFileSystem(v.FileSystem),
        rawFileSystem: v.FileSystem ?? '',
        removable: v.DriveType === 'Removable' || EXTERNAL_BUSES.has(bus),
        bus,
        readOnly: v.IsReadOnly === true,
        isSystem: Boolean(v.IsBoot || v.IsSystem) || (diskNumber >= 0 && systemDisks.has(diskNumber)),
      };
    });
}
