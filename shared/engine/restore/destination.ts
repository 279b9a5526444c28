/**
 * Where a restore writes: each entry's destination under the restore folder (names mapped to
 * what the local file system can hold, reported when renamed), and the folders created on the
 * way, never through a symbolic link and never over something else.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { ScelleError } from '../../errors/scelle-error.js';
import { entryPathBytes, type IndexEntry } from '../../format/index-line.js';
import { checkSafePath, localName, safeComponents } from './restore-paths.js';

/** Folders known to exist, remembered at most (then forgotten and checked again). */
const KNOWN_FOLDERS_MAX = 16_384;

/**
 * Maps archive paths to destination paths, checking each stays inside `dest`, and creates the
 * folders files go into, never through a symbolic link. The plan checks every folder first
 * (folderFree); ensureFolder checks again as it creates them, for what appeared meanwhile.
 */
export class Destination {
  readonly bytes: Buffer;
  private readonly slash: Buffer;
  private readonly known = new Set<string>();
  /** Windows only: local names already given, to refuse two entries landing on one name. */
  private readonly given: Set<string> | null;
  readonly renamed: { from: string; to: string }[] = [];

  /** Restores into `dest`, mapping names for `platform`'s file systems (this machine's by default). */
  constructor(
    dest: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.bytes = Buffer.from(dest);
    this.slash = Buffer.concat([this.bytes, Buffer.from('/')]);
    this.given = platform === 'win32' ? new Set<string>() : null;
  }

  /** The destination of `e`. Throws E_RESTORE_UNSAFE_PATH. `record`: remember renames and names given. */
  targetOf(e: IndexEntry, record = false): Buffer {
    const bytes = entryPathBytes(e);
    // POSIX keeps every name as it is: one check, one buffer.
    if (this.given === null) {
      checkSafePath(bytes);
      return Buffer.concat([this.slash, bytes]);
    }
    const parts = safeComponents(bytes, this.platform).map((c) => localName(c, this.platform));
    const local = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p.name] : [Buffer.from('/'), p.name])));
    const target = Buffer.concat([this.slash, local]);
    if (record) {
      const key = target.toString('latin1').toLowerCase();
      if (this.given.has(key)) throw new ScelleError('E_RESTORE_UNSAFE_PATH', `two entries restore to the same name ${target.toString()}`, { path: e.path });
      this.given.add(key);
      if (parts.some((p) => p.renamed)) this.renamed.push({ from: e.path, to: local.toString('utf8') });
    }
    return target;
  }

  /** As {@link targetOf} with `record`, without building the destination (POSIX: the path check alone). */
  check(e: IndexEntry): void {
    if (this.given === null) checkSafePath(entryPathBytes(e));
    else this.targetOf(e, true);
  }

  /** Creates folder `dir` (inside dest) and those leading to it, refusing to pass through a symbolic link. */
  ensureFolder(dir: Buffer): void {
    if (dir.length <= this.bytes.length || this.known.has(dir.toString('latin1'))) return;
    if (this.known.size >= KNOWN_FOLDERS_MAX) this.known.clear();
    let at = this.bytes.length;
    while (at < dir.length) {
      const next = dir.indexOf(0x2f, at + 1);
      const end = next < 0 ? dir.length : next;
      const cur = dir.subarray(0, end);
      at = end;
      const key = cur.toString('latin1');
      if (this.known.has(key)) continue;
      const kind = kindAt(cur);
      if (kind === 'other') throw new ScelleError('E_RESTORE_EXISTS', `${cur.toString()} exists and is not a folder`, { path: cur.toString() });
      if (kind === 'absent') mkdirSync(cur, { mode: 0o700 });
      this.known.add(key);
    }
  }

  /**
   * Whether folder `dir` (inside dest) can be restored: true when it is absent or a folder;
   * false when something else holds its name (a clash). Throws E_RESTORE_UNSAFE_PATH when that
   * is a symbolic link, which ensureFolder would refuse to write through.
   */
  folderFree(dir: Buffer): boolean {
    return kindAt(dir) !== 'other';
  }
}

/** What is at `path`, never following a link. Throws E_RESTORE_UNSAFE_PATH when it is a symbolic link. */
function kindAt(path: Buffer): 'absent' | 'folder' | 'other' {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 'absent';
  }
  if (st.isSymbolicLink()) throw new ScelleError('E_RESTORE_UNSAFE_PATH', `refusing to write through the symbolic link ${path.toString()}`, { path: path.toString() });
  return st.isDirectory() ? 'folder' : 'other';
}
