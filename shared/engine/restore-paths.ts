/**
 * Safety of restored names: every entry must stay inside the restore folder, and names the
 * local file system cannot hold (Windows) are mapped to ones it can, reported as renamed.
 */
import { ScelleError } from '../errors/scelle-error.js';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const WINDOWS_BAD_CHARS = /[<>:"\\|?*\u0000-\u001f]/g;

/**
 * Splits an archive path into components, refusing anything that could escape the restore
 * folder: absolute paths, '..', empty or '.' components, NUL bytes, backslashes that Windows
 * would read as separators. Throws E_RESTORE_UNSAFE_PATH.
 */
export function safeComponents(path: Buffer): Buffer[] {
  const fail = (why: string) => new ScelleError('E_RESTORE_UNSAFE_PATH', `refusing to restore "${path.toString()}": ${why}`, { path: path.toString(), reason: why });
  if (path.length === 0) throw fail('empty name');
  if (path[0] === 0x2f) throw fail('absolute path');
  if (path.includes(0)) throw fail('NUL byte in name');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      const c = path.subarray(start, i);
      if (c.length === 0 || (c.length === 1 && c[0] === 0x2e)) throw fail('empty or "." component');
      if (c.length === 2 && c[0] === 0x2e && c[1] === 0x2e) throw fail('".." component');
      parts.push(c);
      start = i + 1;
    }
  }
  if (process.platform === 'win32' && /^[a-zA-Z]:/.test(path.toString('latin1'))) throw fail('drive-letter path');
  return parts;
}

/**
 * The name to use for one path component on `platform`: unchanged on POSIX; on Windows,
 * forbidden characters become '_', trailing dots and spaces are dropped, and reserved
 * device names (CON, NUL, COM1…) get a '_' prefix. Returns whether it changed.
 */
export function localName(component: Buffer, platform: NodeJS.Platform = process.platform): { name: Buffer; renamed: boolean } {
  if (platform !== 'win32') return { name: component, renamed: false };
  let s = component.toString('utf8').replace(WINDOWS_BAD_CHARS, '_').replace(/[. ]+$/, '');
  if (s === '') s = '_';
  if (WINDOWS_RESERVED.test(s)) s = `_${s}`;
  const name = Buffer.from(s, 'utf8');
  return { name, renamed: !name.equals(component) };
}
