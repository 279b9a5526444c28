/**
 * verify: checks a drive without writing anything.
 * - media level (no key): manifest signature and station certificate, every part and the
 *   index present with the size and ciphertext SHA-256 the manifest records, no extra file.
 * - full level (with a secret): also decrypts the index and every segment of every part
 *   (each one authenticated), walks the tar stream and checks that it matches the index
 *   entry by entry and that every file's SHA-256 matches.
 */
import { createHash, hash as hashOnce } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError, isScelleError, toErrorData } from '../../errors/scelle-error.js';
import { TarReader } from '../../format/tar.js';
import type { DriveSecret, VerifyReport } from '../api.js';
import { throwIfCancelled } from '../abort.js';
import { resolveDriveDir, type LoadedDrive } from '../drive.js';
import { IndexChecker, type IndexReader } from '../../format/index-reader.js';
import { closeDrives, drivesReader, sourceDrives, unlockDrives, type DriveSource, type OpenedDrives, type SetView } from '../set-drives.js';
import { membersHolding } from '../../format/set.js';
import { hashFiles } from './file-hasher.js';
import { prefetchFor } from '../payload/segment-prefetcher.js';
import { entryPathBytes, entryLinkBytes } from '../../format/index-line.js';
import { PAYLOAD_DIR } from '../drive-layout.js';
import { closeSync } from 'node:fs';
import { openDriveFile } from '../drive-files.js';
import { ProgressTracker } from '../progress.js';
import { CHUNK, type PayloadReader } from '../payload/payload-reader.js';
import { deriveCustomerKey } from '../../custody/customer-key.js';

/** Options of {@link verify} (`loaded`: the drives, when already loaded; see DriveSource). */
export interface VerifyOptions extends DriveSource {
  driveDir: string;
  /** Other members of the same sealed set: with all of them, the set is checked in one pass (tar headers included). */
  members?: string[];
  /** With a secret: full verification. Without: media verification. */
  secret?: DriveSecret;
  pinnedRoots: readonly Uint8Array[];
  signal?: AbortSignal;
  onProgress?: (p: import('../api.js').Progress) => void;
}

type Problem = VerifyReport['problems'][number];
const problem: (e: ScelleError) => Problem = toErrorData;

/** A check's failure as the report's problem; cancellation and non-Scellé errors are thrown on. */
function problemsOf(e: unknown): Problem[] {
  if (isScelleError(e) && e.code !== 'E_CANCELLED') return [problem(e)];
  throw e;
}

/**
 * Files operating systems drop on removable media when someone browses it (macOS AppleDouble
 * `._*`, Finder and Windows Explorer metadata): not part of the drive, and not an alarm.
 */
function isOsLitter(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return name.startsWith('._') || ['.DS_Store', 'Thumbs.db', 'desktop.ini'].includes(name);
}

const EMPTY_SHA256 = hashOnce('sha256', new Uint8Array(0), 'hex');

/**
 * SHA-256 (hex) of the payload's plaintext [offset, offset + length), each byte authenticated:
 * a range of one chunk or less (almost every file) is made available at once and hashed in one
 * call when it lies in one slice, a larger one chunk by chunk. Throws as PayloadReader.read, and
 * E_CANCELLED between chunks.
 */
async function sha256Of(reader: PayloadReader, offset: number, length: number, signal: AbortSignal | undefined): Promise<string> {
  if (length === 0) return EMPTY_SHA256;
  if (length <= CHUNK) {
    await reader.ensure(offset, length);
    const slices: Buffer[] = [];
    reader.forEachSlice(offset, length, (s) => slices.push(s));
    if (slices.length === 1) return hashOnce('sha256', slices[0]!, 'hex');
    const h = createHash('sha256');
    for (const s of slices) h.update(s);
    return h.digest('hex');
  }
  const h = createHash('sha256');
  await reader.forEachChunk(offset, length, (slices) => {
    for (const s of slices) h.update(s);
    throwIfCancelled(signal);
  });
  return h.digest('hex');
}

/** Entries a full check walks between two turns of the event loop, at most. */
const ENTRIES_BETWEEN_TURNS = 1024;
const nextTurn = () => new Promise((r) => setImmediate(r));

/**
 * When a full check lets the event loop turn (cancellation, messages): every
 * ENTRIES_BETWEEN_TURNS entries or every CHUNK bytes of files, whichever comes first (a turn per
 * file was 10 of a million-file verify's 18 s).
 */
class Turns {
  private entries = 0;
  private bytes = 0;

  /** Counts one entry of `bytes`; true when a turn is due (the counts then start again). */
  due(bytes: number): boolean {
    this.bytes += bytes;
    if (++this.entries < ENTRIES_BETWEEN_TURNS && this.bytes < CHUNK) return false;
    this.entries = 0;
    this.bytes = 0;
    return true;
  }
}

/** Media checks: returns the problems found (empty when the media is intact). */
async function verifyMedia(drive: LoadedDrive, signal: AbortSignal | undefined, progress: ProgressTracker): Promise<Problem[]> {
  const problems: Problem[] = [];
  const { manifest, driveDir } = drive;
  const files = [...manifest.payload.parts.map((p, n) => ({ ...p, label: `part ${n}` })), { ...manifest.index, label: 'index' }];
  const toHash: typeof files = [];
  for (const f of files) {
    let size: number;
    try {
      // Hostile input: a regular file inside the drive folder, never a link (drive-files.ts).
      const opened = openDriveFile(driveDir, f.file);
      size = opened.size;
      closeSync(opened.fd);
    } catch (e) {
      if (isScelleError(e)) problems.push(problem(e));
      else problems.push(problem(new ScelleError('E_FORMAT_PART_MISSING', `${f.file} (${f.label}) is missing`, { file: f.file })));
      continue;
    }
    if (size !== f.size) {
      problems.push(
        problem(new ScelleError('E_FORMAT_PART_SIZE', `${f.file} (${f.label}) has ${size} bytes, the manifest says ${f.size}`, { file: f.file, size, expected: f.size })),
      );
      progress.add(f.size);
      continue;
    }
    toHash.push(f);
  }
  const digests = await hashFiles(
    toHash.map((f) => join(driveDir, f.file)),
    { onBytes: (n) => progress.add(n), signal },
  );
  toHash.forEach((f, i) => {
    const digest = digests[i];
    if (digest === null) problems.push(problem(new ScelleError('E_FORMAT_PART_MISSING', `${f.file} (${f.label}) cannot be read`, { file: f.file })));
    else if (digest !== f.sha256)
      problems.push(problem(new ScelleError('E_FORMAT_PART_HASH', `${f.file} (${f.label}) is damaged or was replaced: its SHA-256 differs from the manifest`, { file: f.file })));
  });
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
 * Full check of an unlocked drive: every segment authenticated (decrypted ahead on a worker
 * when compiled), the tar stream walked against the index entry by entry, every file's
 * SHA-256 checked. Returns the first problem, if any.
 */
async function verifyContent(opened: OpenedDrives, signal: AbortSignal | undefined, progress: ProgressTracker): Promise<Problem[]> {
  const unlocked = opened.catalogue;
  const reader = drivesReader(opened);
  try {
    prefetchFor(reader, opened.description, [{ offset: 0, size: reader.totalSize }]);
    let pos = 0;
    let counted = 0;
    /** Reports progress up to the current position (headers, data, padding, trailing bytes alike). */
    const advance = (files = 0) => {
      progress.add(pos - counted, files);
      counted = pos;
    };
    const visit = (from: number, length: number, onSlice: (s: Buffer) => void) =>
      reader.forEachChunk(from, length, (slices) => {
        for (const s of slices) onSlice(s);
        throwIfCancelled(signal);
      });
    const tar = new TarReader(
      async (n) => {
        await reader.ensure(pos, n);
        const b = reader.read(pos, n);
        pos += n;
        return b;
      },
      async (n) => {
        pos += n;
      },
    );
    const checker = new IndexChecker(unlocked.index);
    const turns = new Turns();
    for (const { at, entry } of unlocked.index.scan(unlocked.index.entriesAt)) {
      if (turns.due(entry.size)) await nextTurn();
      throwIfCancelled(signal);
      checker.add(at, entry);
      const h = await tar.next();
      advance();
      const where = `entry ${entry.path}`;
      if (h === null) throw new ScelleError('E_FORMAT_TAR', `the tar stream ends before ${where}`);
      if (
        !Buffer.from(h.path.buffer, h.path.byteOffset, h.path.length).equals(entryPathBytes(entry)) ||
        h.type !== entry.type ||
        h.size !== entry.size ||
        (entry.type === 'file' && h.dataOffset !== entry.offset)
      ) {
        throw new ScelleError('E_FORMAT_TAR', `the tar stream does not match the index at ${where}`, { path: entry.path });
      }
      if (entry.type === 'symlink' && !Buffer.from(h.linkTarget ?? []).equals(entryLinkBytes(entry))) {
        throw new ScelleError('E_FORMAT_TAR', `link target differs from the index at ${where}`, { path: entry.path });
      }
      if (entry.type === 'file') {
        const digest = await sha256Of(reader, pos, entry.size, signal);
        await tar.skipData(entry.size);
        advance(1);
        if (digest !== entry.sha256) throw new ScelleError('E_FORMAT_CONTENT_HASH', `${entry.path} does not match its SHA-256 in the index`, { path: entry.path });
      }
    }
    checker.finish();
    if ((await tar.next()) !== null) throw new ScelleError('E_FORMAT_TAR', 'the tar stream holds entries the index does not list');
    // Bytes between the end-of-archive marker and the end of the payload: authenticate them too.
    if (pos < reader.totalSize) {
      await visit(pos, reader.totalSize - pos, () => undefined);
      pos = reader.totalSize;
    }
    advance();
    return [];
  } catch (e) {
    return problemsOf(e);
  } finally {
    reader.close();
  }
}

/**
 * Verifies the drive at `opts.driveDir` (see module doc). Never writes. Returns a report
 * with every problem found; throws only when the drive cannot be judged at all
 * (E_FORMAT_MANIFEST, E_FORMAT_SIGNATURE), when the secret is wrong (E_KEY_*), or E_CANCELLED.
 */
export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const drives = sourceDrives(opts);
  const named = resolveDriveDir(opts.driveDir);
  const drive = drives.find((d) => d.driveDir === named) ?? drives[0]!;
  const mediaBytes = drives.reduce((a, d) => a + d.info.payloadCiphertextBytes + d.manifest.index.size, 0);
  const progress = new ProgressTracker(
    'verify',
    mediaBytes,
    drives.reduce((a, d) => a + d.manifest.payload.parts.length, 0),
    opts.onProgress,
  );
  // The media check (ciphertext hashes) runs on its own thread beside unlocking and the full check.
  const stopMedia = new AbortController();
  const onAbort = () => stopMedia.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const media = Promise.all(drives.map((d) => verifyMedia(d, stopMedia.signal, progress))).then((lists) => lists.flat());
  media.catch(() => undefined);
  const report: VerifyReport = { driveId: drive.manifest.driveId, level: opts.secret ? 'full' : 'media', ok: false, station: drive.info.station, problems: [] };
  try {
    let content: Problem[] = [];
    if (opts.secret) content = await verifyUnlocked(drives, opts.secret, opts.signal, progress, report, mediaBytes);
    report.problems = [...(await media), ...content];
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stopMedia.abort();
  }
  throwIfCancelled(opts.signal);
  progress.flush();
  report.ok = report.problems.length === 0;
  return report;
}

/** Unlocks the drive and runs the full check; fills the report's counts. Throws E_KEY_* and E_CANCELLED. */
async function verifyUnlocked(
  drives: LoadedDrive[],
  secret: DriveSecret,
  signal: AbortSignal | undefined,
  progress: ProgressTracker,
  report: VerifyReport,
  mediaBytes: number,
): Promise<Problem[]> {
  let opened: OpenedDrives;
  try {
    opened = await unlockDrives(drives, secret, signal);
  } catch (e) {
    if (isScelleError(e) && (e.code.startsWith('E_FORMAT') || e.code === 'E_SET_MISMATCH')) return [problem(e)];
    throw e;
  }
  try {
    const unlocked = opened.catalogue;
    report.customerKey = deriveCustomerKey(unlocked.dataKey, unlocked.manifest.driveId);
    report.files = unlocked.indexTrailer.files;
    report.bytes = unlocked.indexTrailer.bytes;
    progress.setTotals(mediaBytes + (unlocked.indexTrailer.set?.totalSize ?? unlocked.indexTrailer.totalSize), unlocked.indexTrailer.files);
    const set = opened.set;
    // A drive alone, or a whole set whose index lists everything: one pass, tar headers included.
    if (set === null || (set.absent.length === 0 && set.listed === set.totals.entries)) {
      if (set) {
        report.files = set.totals.files;
        report.bytes = set.totals.bytes;
        report.set = { id: set.id, members: set.members, present: set.present, absent: [], filesChecked: set.totals.files, filesElsewhere: 0, notListed: 0 };
      }
      return await verifyContent(opened, signal, progress);
    }
    return await verifyMember(opened, set, signal, progress, report);
  } finally {
    closeDrives(opened);
  }
}

/**
 * Full check of a set member alone (docs/FORMAT.md §11.5): its index checked whole (checks 6–10,
 * a prefix allowed), every segment of its parts authenticated in one pass, and every file whose
 * content lies wholly on it hash-checked on the way; files with bytes on other members are
 * counted, not checked (open or verify with them attached). Returns the first problem, if any.
 */
async function verifyMember(opened: OpenedDrives, set: SetView, signal: AbortSignal | undefined, progress: ProgressTracker, report: VerifyReport): Promise<Problem[]> {
  const index: IndexReader = opened.catalogue.index;
  const reader = drivesReader(opened);
  const regions = set.ranges.filter((r) => set.present.includes(r.position)).map((r) => ({ start: r.tarStart, end: r.tarEnd }));
  let region = 0;
  let pos = regions[0]!.start;
  let filesChecked = 0;
  let filesElsewhere = 0;
  const visit = (from: number, length: number, onSlice: (s: Buffer) => void) =>
    reader.forEachChunk(from, length, (slices) => {
      for (const s of slices) onSlice(s);
      throwIfCancelled(signal);
    });
  /** Authenticates the bytes of the members present from the cursor up to `to`. */
  const authenticateTo = async (to: number) => {
    while (region < regions.length && pos < to) {
      const end = Math.min(to, regions[region]!.end);
      if (end > pos) {
        await visit(pos, end - pos, () => undefined);
        progress.add(end - pos);
      }
      pos = end;
      if (pos >= regions[region]!.end && ++region < regions.length) pos = regions[region]!.start;
    }
  };
  try {
    const checker = new IndexChecker(index);
    const turns = new Turns();
    for (const { at, entry } of index.scan(index.entriesAt)) {
      if (turns.due(entry.size)) await nextTurn();
      throwIfCancelled(signal);
      checker.add(at, entry);
      if (entry.type !== 'file' || entry.size === 0) continue;
      const on = membersHolding(set.ranges, entry.offset, entry.size);
      if (!on.every((p) => set.present.includes(p)) || entry.offset < pos) {
        filesElsewhere++;
        continue;
      }
      await authenticateTo(entry.offset);
      const digest = await sha256Of(reader, entry.offset, entry.size, signal);
      progress.add(entry.size, 1);
      pos = entry.offset + entry.size;
      while (region < regions.length && pos >= regions[region]!.end) if (++region < regions.length) pos = Math.max(pos, regions[region]!.start);
      if (digest !== entry.sha256) throw new ScelleError('E_FORMAT_CONTENT_HASH', `${entry.path} does not match its SHA-256 in the index`, { path: entry.path });
      filesChecked++;
    }
    checker.finish();
    await authenticateTo(Infinity);
    report.set = { id: set.id, members: set.members, present: set.present, absent: set.absent, filesChecked, filesElsewhere, notListed: set.totals.entries - set.listed };
    return [];
  } catch (e) {
    return problemsOf(e);
  } finally {
    reader.close();
  }
}
