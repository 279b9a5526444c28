/**
 * verify: checks a drive without writing anything.
 * - media level (no key): manifest signature and station certificate, every part and the
 *   index present with the size and ciphertext SHA-256 the manifest records, no extra file.
 * - full level (with a secret): also decrypts the index and every segment of every part
 *   (each one authenticated), walks the tar stream and checks that it matches the index
 *   entry by entry and that every file's SHA-256 matches.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError, isScelleError } from '../errors/scelle-error.js';
import { TarReader } from '../format/tar.js';
import type { DriveSecret, VerifyReport } from './api.js';
import { throwIfCancelled } from './abort.js';
import { loadDrive, payloadReader, unlockDrive, type LoadedDrive } from './drive.js';
import { entryPathBytes, entryLinkBytes } from './entry-path.js';
import { PAYLOAD_DIR } from './drive-layout.js';
import { ProgressTracker } from './progress.js';
import { deriveCustomerKey } from '../custody/customer-key.js';

/** Options of {@link verify}. */
export interface VerifyOptions {
  driveDir: string;
  /** With a secret: full verification. Without: media verification. */
  secret?: DriveSecret;
  pinnedRoots: readonly Uint8Array[];
  signal?: AbortSignal;
  onProgress?: (p: import('./api.js').Progress) => void;
}

type Problem = VerifyReport['problems'][number];

function problem(e: ScelleError): Problem {
  return { code: e.code, message: e.message, details: { ...e.details } };
}

async function sha256File(path: string, signal: AbortSignal | undefined, progress: ProgressTracker): Promise<string> {
  const fd = openSync(path, 'r');
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
      progress.add(n);
      if ((pos & ((1 << 26) - 1)) === 0) {
        await new Promise((r) => setImmediate(r));
        throwIfCancelled(signal);
      }
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Files operating systems drop on removable media when someone browses it (macOS AppleDouble
 * `._*`, Finder and Windows Explorer metadata): not part of the drive, and not an alarm.
 */
function isOsLitter(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return name.startsWith('._') || ['.DS_Store', 'Thumbs.db', 'desktop.ini'].includes(name);
}

/** Media checks: returns the problems found (empty when the media is intact). */
async function verifyMedia(drive: LoadedDrive, signal: AbortSignal | undefined, progress: ProgressTracker): Promise<Problem[]> {
  const problems: Problem[] = [];
  const { manifest, driveDir } = drive;
  const files = [...manifest.payload.parts.map((p, n) => ({ ...p, label: `part ${n}` })), { ...manifest.index, label: 'index' }];
  for (const f of files) {
    throwIfCancelled(signal);
    const path = join(driveDir, f.file);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      problems.push(problem(new ScelleError('E_FORMAT_PART_MISSING', `${f.file} (${f.label}) is missing`, { file: f.file })));
      continue;
    }
    if (size !== f.size) {
      problems.push(problem(new ScelleError('E_FORMAT_PART_SIZE', `${f.file} (${f.label}) has ${size} bytes, the manifest says ${f.size}`, { file: f.file, size, expected: f.size })));
      progress.add(f.size);
      continue;
    }
    const digest = await sha256File(path, signal, progress);
    if (digest !== f.sha256) problems.push(problem(new ScelleError('E_FORMAT_PART_HASH', `${f.file} (${f.label}) is damaged or was replaced: its SHA-256 differs from the manifest`, { file: f.file })));
  }
  const expected = new Set(manifest.payload.parts.map((p) => p.file));
  let present: string[] = [];
  try {
    present = readdirSync(join(driveDir, PAYLOAD_DIR)).map((n) => `${PAYLOAD_DIR}/${n}`);
  } catch {
    present = [];
  }
  for (const f of present) {
    if (isOsLitter(f)) continue;
    if (!expected.has(f)) problems.push(problem(new ScelleError('E_FORMAT_PART_EXTRA', `${f} is not part of this drive`, { file: f })));
  }
  return problems;
}

/**
 * Verifies the drive at `opts.driveDir` (see module doc). Never writes. Returns a report
 * with every problem found; throws only when the drive cannot be judged at all
 * (E_FORMAT_MANIFEST, E_FORMAT_SIGNATURE), when the secret is wrong (E_KEY_*), or E_CANCELLED.
 */
export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const drive = loadDrive(opts.driveDir, opts.pinnedRoots);
  const total = drive.info.payloadCiphertextBytes + drive.manifest.index.size;
  const mediaProgress = new ProgressTracker('verify', total, drive.manifest.payload.parts.length, opts.onProgress);
  const problems = await verifyMedia(drive, opts.signal, mediaProgress);
  mediaProgress.flush();
  const report: VerifyReport = { driveId: drive.manifest.driveId, level: opts.secret ? 'full' : 'media', ok: false, station: drive.info.station, problems };
  if (opts.secret) {
    let unlocked;
    try {
      unlocked = await unlockDrive(drive, opts.secret);
    } catch (e) {
      if (isScelleError(e) && e.code.startsWith('E_FORMAT')) {
        problems.push(problem(e));
        return report;
      }
      throw e;
    }
    report.customerKey = deriveCustomerKey(unlocked.dataKey, unlocked.manifest.driveId);
    report.files = unlocked.indexHeader.files;
    report.bytes = unlocked.indexHeader.bytes;
    const reader = payloadReader(unlocked);
    const progress = new ProgressTracker('verify', reader.totalSize, unlocked.indexHeader.files, opts.onProgress);
    try {
      let pos = 0;
      const tar = new TarReader(
        async (n) => { const b = reader.read(pos, n); pos += n; progress.add(n); return b; },
        async (n) => { pos += n; },
      );
      for (const entry of unlocked.entries) {
        throwIfCancelled(opts.signal);
        const h = await tar.next();
        const where = `entry ${entry.path}`;
        if (h === null) throw new ScelleError('E_FORMAT_TAR', `the tar stream ends before ${where}`);
        if (!Buffer.from(h.path).equals(entryPathBytes(entry)) || h.type !== entry.type || h.size !== entry.size || (entry.type === 'file' && h.dataOffset !== entry.offset)) {
          throw new ScelleError('E_FORMAT_TAR', `the tar stream does not match the index at ${where}`, { path: entry.path });
        }
        if (entry.type === 'symlink' && !Buffer.from(h.linkTarget ?? []).equals(entryLinkBytes(entry))) {
          throw new ScelleError('E_FORMAT_TAR', `link target differs from the index at ${where}`, { path: entry.path });
        }
        if (entry.type === 'file') {
          const hash = createHash('sha256');
          reader.forEachSlice(pos, entry.size, (s) => hash.update(s));
          progress.add(entry.size, 1);
          await tar.skipData(entry.size);
          if (hash.digest('hex') !== entry.sha256) throw new ScelleError('E_FORMAT_CONTENT_HASH', `${entry.path} does not match its SHA-256 in the index`, { path: entry.path });
          if (entry.size > 1 << 24) await new Promise((r) => setImmediate(r));
        }
      }
      if ((await tar.next()) !== null) throw new ScelleError('E_FORMAT_TAR', 'the tar stream holds entries the index does not list');
      if (pos !== reader.totalSize) {
        // Bytes between the end-of-archive marker and the end of the payload: authenticate them too.
        reader.forEachSlice(pos, reader.totalSize - pos, () => undefined);
      }
    } catch (e) {
      if (isScelleError(e) && e.code !== 'E_CANCELLED') problems.push(problem(e));
      else throw e;
    } finally {
      reader.close();
      unlocked.dataKey.fill(0);
    }
    progress.flush();
  }
  report.ok = problems.length === 0;
  return report;
}
