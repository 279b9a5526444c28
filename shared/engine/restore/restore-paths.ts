/**
 * Safety of restored names: every entry must stay inside the restore folder, and names the
 * local file system cannot hold (Windows) are mapped to ones it can, reported as renamed.
 */
import { ScelleError } from '../../errors/scelle-error.js';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const WINDOWS_BAD_CHARS = /[<>:"\\|?*\u0000-\u001f]/g;

/**
 * Refuses an archive path that could escape the restore folder: absolute, '..', empty or '.'
 * components, NUL bytes, and on Windows (`platform` win32) drive-letter paths. Throws
 * E_RESTORE_UNSAFE_PATH.
 */
export function checkSafePath(path: Buffer, platform: NodeJS.Platform = process.platform): void {
  const fail = (why: string) => new ScelleError('E_RESTORE_UNSAFE_PATH', `refusing to restore "${path.toString()}": ${why}`, { path: path.toString(), reason: why });
  if (path.length === 0) throw fail('empty name');
  if (path[0] === 0x2f) throw fail('absolute path');
  if (path.includes(0)) throw fail('NUL byte in name');
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      const len = i - start;
      if (len === 0 || (len === 1 && path[start] === 0x2e)) throw fail('empty or "." component');
      if (len === 2 && path[start] === 0x2e && path[start + 1] === 0x2e) throw fail('".." component');
      start = i + 1;
    }
  }
  if (platform === 'win32' && /^[a-zA-Z]:/.test(path.toString('latin1'))) throw fail('drive-letter path');
}

/**
 * The permission bits to give a restored file or folder whose recorded mode is `mode`: without
 * `keepModes`, setuid, setgid and sticky bits and group/other write are dropped (a forged drive
 * must not plant `-rwsr-xr-x` programs or world-writable folders); with it, all 12 bits as recorded.
 */
export function restoredMode(mode: number, keepModes: boolean): number {
  return keepModes ? mode & 0o7777 : mode & 0o755;
}

/**
 * True when a link stored at archive path `linkPath` with target `target` stays inside the
 * restore folder by its own text: not absolute (nor a Windows drive or UNC path), and every
 * `..` comes first and climbs no higher than the link's own folder. A `..` after a name is
 * refused too, since that name may itself be a link (`a -> .` makes `a/..` the folder above).
 * Never throws.
 */
export function linkStaysInside(linkPath: Buffer, target: Buffer): boolean {
  if (target.length === 0 || target[0] === 0x2f || target.includes(0)) return false;
  const text = target.toString('latin1');
  if (/^[a-zA-Z]:/.test(text) || text.includes('\\')) return false;
  let depth = 0;
  for (let i = 0; i < linkPath.length; i++) if (linkPath[i] === 0x2f) depth++;
  let climbing = true;
  for (const part of text.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!climbing || --depth < 0) return false;
    } else {
      climbing = false;
    }
  }
  return true;
}

/**
 * Splits an archive path into components after {@link checkSafePath} on `platform` (which it
 * throws like).
 */
export function safeComponents(path: Buffer, platform: NodeJS.Platform = process.platform): Buffer[] {
  checkSafePath(path, platform);
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      parts.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

/**
 * The name to use for one path component on `platform`: unchanged on POSIX; on Windows,
 * forbidden characters become '_', trailing dots and spaces are dropped, and reserved
 * device names (CON, NUL, COM1…) get a '_' prefix. Returns whether it changed.
 */
export function localName(component: Buffer, platform: NodeJS.Platform = process.platform): { name: Buffer; renamed: boolean } {
  if (platform !== 'win32') return { name: component, renamed: false };
  let s = component
    .toString('utf8')
    .replace(WINDOWS_BAD_CHARS, '_')
    .replace(/[. ]+$/, '');
  if (s === '') s = '_';
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  const name = Buffer.from(s, 'utf8');
  return { name, renamed: !name.equals(component) };
}
