/**
 * seal, for data larger than one drive: a sealed set (docs/FORMAT.md §11). The sources are
 * counted, the set is planned (how many whole payload parts each member holds, from each attached
 * target's free space, or for drives still to come from `memberBytes` or the first target's), and
 * one tar stream is sealed across the members in turn (set-sink.ts) under one data key. Each
 * member is a complete scelle/1 drive: its own parts, index and signed manifest naming the set,
 * its position and every member's drive id. A member's index lists every entry sealed before the
 * member was closed: a member closed while the next drive is awaited (the technician swaps
 * drives) lists a prefix of the set, members still attached at the end list the whole set.
 * A set is not resumable: on failure, the members not yet closed are removed, and the members
 * already closed stay complete drives of an incomplete set (their position and the set's size
 * say so).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError, toErrorData } from '../../errors/scelle-error.js';
import { canonicalizeUnlockCode } from '../../format/unlock-code.js';
import { wrapForX25519, wrapWithUnlockCodeKey, type Keyslot } from '../../format/keyslot.js';
import { serializeManifest, signManifest, type Manifest } from '../../format/manifest.js';
import { IndexWriter } from '../../format/index-writer.js';
import { parseIndexEntryLine } from '../../format/index-codec.js';
import { indexAndSlackBytes, partSizesOf, streamCiphertextSize } from '../../format/payload-size.js';
import { MAX_SET_MEMBERS, manifestSetOf, type TrailerSet } from '../../format/set.js';
import { encodeBase64 } from '../../format/base64.js';
import type { SealOptions, SealResult, SealedMember } from '../api.js';
import { throwIfCancelled } from '../abort.js';
import { INDEX_FILE, MANIFEST_FILE, README_FILE, SIGNATURE_FILE, driveDirFor, newDriveId, readmeText } from '../drive-layout.js';
import { fsyncDir, writeFileDurable } from '../durable-fs.js';
import { createPayloadSink, sinkMemoryFor, type SinkMode } from '../payload/payload-sink.js';
import type { PartInfo } from '../payload/payload-writer.js';
import { ProgressTracker } from '../progress.js';
import { scanSources, type ScanResult } from './scan.js';
import { choosePartPlaintextSize, inspectTarget, type TargetInfo } from './target.js';
import { targetError } from '../target-errors.js';
import { TarBuilders, tarBuildersAvailable } from './tar-builders.js';
import { writeTarStream } from './seal-stream.js';
import { helperThreadCount } from '../workers/parallelism.js';
import { customerPublicKey } from '../../custody/customer-key.js';
import { startUnlockKeyDerivation, type UnlockKeyDerivation } from './unlock-slot.js';
import { findUnfinishedSeals } from './unfinished-seals.js';
import { IndexSpool } from './index-spool.js';
import { SetSink } from './set-sink.js';

/** The seal's choices that the set shares with a one-drive seal (seal.ts). */
export interface SetSealInternals {
  sinkMode: (scan: ScanResult) => SinkMode;
  buildersMinEntries: number;
  progressIntervalMs?: number;
}

/** One planned member. */
interface PlannedMember {
  position: number;
  driveId: string;
  partCount: number;
  /** Tar bytes [tarStart, tarEnd). */
  tarStart: number;
  tarEnd: number;
  /** Ciphertext bytes the member needs on its drive (parts, index, slack). */
  bytesNeeded: number;
  /** Its target, once known. */
  target: string | null;
  driveDir: string | null;
  parts: PartInfo[];
  sealed: SealedMember | null;
}

/**
 * How many whole parts each member holds: greedily, each member as many as its capacity takes
 * after room for the whole set's index. `capacities[i]` for attached targets; `future` for each
 * drive still to come (null: none will come).
 * @throws ScelleError E_TARGET_TOO_SMALL when the members cannot hold the data.
 */
export function planMembers(partSizes: readonly number[], entries: number, capacities: readonly number[], future: number | null): number[] {
  const overhead = indexAndSlackBytes(entries);
  const counts: number[] = [];
  let next = 0;
  for (let m = 0; next < partSizes.length; m++) {
    if (m >= MAX_SET_MEMBERS) throw new ScelleError('E_TARGET_TOO_SMALL', `the data needs more than ${MAX_SET_MEMBERS} drives of this size`, { needed: m + 1 });
    const capacity = m < capacities.length ? capacities[m]! : future;
    if (capacity === null) {
      const left = partSizes.slice(next).reduce((a, p) => a + streamCiphertextSize(p), 0) + overhead;
      throw new ScelleError(
        'E_TARGET_TOO_SMALL',
        `the data needs about ${left} more bytes than the ${capacities.length} drive(s) given can hold; add a drive or wait for the next one`,
        {
          needed: left,
          free: 0,
        },
      );
    }
    let room = capacity - overhead;
    let count = 0;
    while (next + count < partSizes.length && streamCiphertextSize(partSizes[next + count]!) <= room) {
      room -= streamCiphertextSize(partSizes[next + count]!);
      count++;
    }
    if (count === 0) {
      throw new ScelleError(
        'E_TARGET_TOO_SMALL',
        `drive ${m + 1} of the set has room for ${capacity} bytes, less than one part and the index (${streamCiphertextSize(partSizes[next]!) + overhead})`,
        {
          needed: streamCiphertextSize(partSizes[next]!) + overhead,
          free: capacity,
        },
      );
    }
    counts.push(count);
    next += count;
  }
  return counts;
}

/**
 * Seals `opts.sources` as a set over `opts.target`, `opts.set.more` and, when those are full,
 * the folders `opts.set.nextTarget` returns (see module doc). Returns the first member as the
 * result's drive, and every member in `result.set`. When everything fits on the first target, the
 * result is a plain one-drive seal made by `sealOne`.
 * Errors: as seal, plus E_TARGET_TOO_SMALL (the members cannot hold the data), E_USAGE (resume).
 */
export async function sealSet(
  opts: SealOptions,
  internals: SetSealInternals,
  unlockKey: { code: string; derivation: UnlockKeyDerivation } | null,
  sealOne: () => Promise<SealResult>,
): Promise<SealResult> {
  const setOpts = opts.set!;
  const { recipients, station, signal } = opts;
  if (opts.resume) throw new ScelleError('E_USAGE', 'a sealed set cannot be resumed; delete its unfinished members and seal again', { reason: '--resume' });
  const attached = [opts.target, ...setOpts.more];
  if (new Set(attached).size !== attached.length) throw new ScelleError('E_USAGE', 'the same target is given twice; give each member drive once', { reason: '--to' });
  const infos = attached.map((t) => inspectTarget(t));
  for (const t of attached) {
    const unfinished = findUnfinishedSeals(t);
    if (unfinished.length > 0)
      throw new ScelleError('E_TARGET_NOT_EMPTY', `an unfinished seal is already in ${unfinished[0]}; resume it or delete that folder first`, { path: unfinished[0]! });
  }
  const partSize = choosePartPlaintextSize(opts.partPlaintextSize, { maxFileSize: smallestFileLimit(infos) });

  // 1. Count the sources.
  const scanProgress = new ProgressTracker('scan', 0, 0, opts.onProgress);
  const scan = await scanSources(opts.sources, {
    signal,
    onCount: (files, bytes) => {
      scanProgress.setTotals(bytes, files);
      scanProgress.add(0);
    },
  });
  scanProgress.setTotals(scan.bytes, scan.files);
  scanProgress.flush();

  // 2. Plan the members.
  const partSizes = partSizesOf(scan.tarSize, partSize);
  const capacities = infos.map((i) => Math.min(i.freeBytes, setOpts.memberBytes ?? Infinity));
  const future = setOpts.nextTarget ? (setOpts.memberBytes ?? capacities[0]!) : null;
  const counts = planMembers(partSizes, scan.entries, capacities, future);
  if (counts.length === 1) return sealOne();
  const setId = newDriveId();
  const overhead = indexAndSlackBytes(scan.entries);
  let firstPart = 0;
  const members: PlannedMember[] = counts.map((partCount, i) => {
    const sizes = partSizes.slice(firstPart, firstPart + partCount);
    const m: PlannedMember = {
      position: i + 1,
      driveId: newDriveId(),
      partCount,
      tarStart: firstPart * partSize,
      tarEnd: firstPart * partSize + sizes.reduce((a, b) => a + b, 0),
      bytesNeeded: sizes.reduce((a, p) => a + streamCiphertextSize(p), 0) + overhead,
      target: attached[i] ?? null,
      driveDir: null,
      parts: [],
      sealed: null,
    };
    firstPart += partCount;
    return m;
  });
  const layout: Omit<TrailerSet, 'position'> = {
    id: setId,
    members: members.length,
    driveIds: members.map((m) => m.driveId),
    partCounts: counts,
    totalSize: scan.tarSize,
    entries: scan.entries,
    files: scan.files,
    bytes: scan.bytes,
  };
  const unused = attached.slice(members.length);

  // 3. Seal the stream across the members.
  const dataKey = randomBytes(32);
  const createdAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const mode = internals.sinkMode(scan);
  const memory = sinkMemoryFor(mode);
  const spool = new IndexSpool();
  const progress = new ProgressTracker('seal', scan.bytes, scan.files, opts.onProgress, internals.progressIntervalMs);
  let firstDerivation: UnlockKeyDerivation | null = unlockKey?.derivation ?? null;

  /** Writes member m's index (the lines spooled so far), keyslots and manifest: it becomes a sealed drive. */
  const closeMember = async (m: PlannedMember): Promise<void> => {
    const driveDir = m.driveDir!;
    const index = new IndexWriter(join(driveDir, INDEX_FILE), dataKey, m.driveId);
    let files = 0;
    let bytes = 0;
    let written;
    try {
      for (const line of spool.lines()) {
        index.addEntryLine(line);
        const e = parseIndexEntryLine(line.slice(0, -1));
        if (e.type === 'file') {
          files++;
          bytes += e.size;
        }
      }
      const sizes = m.parts.map((p) => p.plaintextSize);
      written = index.finish({
        parts: m.partCount,
        partSizes: sizes,
        totalSize: sizes.reduce((a, b) => a + b, 0),
        files,
        bytes,
        set: { ...layout, position: m.position },
      });
    } catch (e) {
      index.close();
      throw e instanceof ScelleError ? e : targetError(e, driveDir);
    }
    const keyslots: Keyslot[] = [];
    if (unlockKey) {
      const derivation = firstDerivation ?? startUnlockKeyDerivation(canonicalizeUnlockCode(unlockKey.code));
      firstDerivation = null;
      const derived = await derivation.result;
      try {
        keyslots.push(wrapWithUnlockCodeKey(dataKey, derived, m.driveId));
      } finally {
        derived.kek.fill(0);
      }
    }
    for (const r of recipients.x25519) keyslots.push(wrapForX25519(dataKey, r.publicKey, m.driveId, r.label));
    const manifest: Manifest = {
      format: 'scelle/1',
      driveId: m.driveId,
      createdAt,
      payload: { aead: 'AES256_GCM_HKDF_1MB', partPlaintextSize: partSize, parts: m.parts.map((p) => ({ file: p.file, size: p.size, sha256: p.sha256 })) },
      index: { file: INDEX_FILE, size: written.size, sha256: written.sha256 },
      keyslots,
      station: { id: station.id, publicKey: encodeBase64(station.publicKey), certificate: station.certificate },
      set: manifestSetOf({ ...layout, position: m.position }),
    };
    const manifestBytes = serializeManifest(manifest);
    writeFileDurable(join(driveDir, SIGNATURE_FILE), signManifest(manifestBytes, station.secretKey) + '\n');
    writeFileDurable(join(driveDir, README_FILE), readmeText(m.driveId));
    throwIfCancelled(signal);
    writeFileDurable(join(driveDir, MANIFEST_FILE), manifestBytes);
    fsyncDir(driveDir);
    m.sealed = {
      position: m.position,
      driveId: m.driveId,
      driveDir,
      target: m.target!,
      parts: m.partCount,
      tarBytes: m.tarEnd - m.tarStart,
      manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
      customerPublicKey: customerPublicKey(dataKey, m.driveId),
      indexEntries: index.entryCount,
      indexComplete: index.entryCount === scan.entries,
    };
    setOpts.onMemberSealed?.(m.sealed);
  };

  /** The target of member m: given, or asked for (again, with the reason, when one is refused). */
  const targetFor = async (m: PlannedMember): Promise<{ target: string; info: TargetInfo }> => {
    let refused: ScelleError | null = null;
    for (;;) {
      throwIfCancelled(signal);
      const target =
        m.target ??
        (await setOpts.nextTarget!({
          setId,
          position: m.position,
          members: members.length,
          driveId: m.driveId,
          bytesNeeded: m.bytesNeeded,
          refused: refused ? toErrorData(refused) : null,
        }));
      try {
        if (members.some((o) => o !== m && o.target === target))
          throw new ScelleError('E_USAGE', `${target} already holds member ${members.find((o) => o.target === target)!.position} of this set; attach another drive`, {
            reason: '--to',
          });
        const info = inspectTarget(target);
        if (findUnfinishedSeals(target).length > 0) throw new ScelleError('E_TARGET_NOT_EMPTY', `an unfinished seal is already in ${target}`, { path: target });
        if (info.freeBytes < m.bytesNeeded)
          throw new ScelleError('E_TARGET_TOO_SMALL', `member ${m.position} needs ${m.bytesNeeded} bytes free and ${target} has ${info.freeBytes}`, {
            needed: m.bytesNeeded,
            free: info.freeBytes,
          });
        const largestPart = streamCiphertextSize(partSize);
        if (info.maxFileSize !== null && largestPart > info.maxFileSize)
          throw new ScelleError('E_TARGET_TOO_SMALL', `${target}'s file system cannot hold parts of ${largestPart} bytes; use a drive formatted like the first`, {
            needed: largestPart,
            free: info.maxFileSize,
          });
        return { target, info };
      } catch (e) {
        if (!(e instanceof ScelleError) || m.target !== null || !setOpts.nextTarget) throw e;
        refused = e;
      }
    }
  };

  const sink = new SetSink(
    members.map((m) => m.tarEnd),
    memory,
    {
      open: async (i) => {
        const m = members[i]!;
        const { target } = await targetFor(m);
        m.target = target;
        m.driveDir = driveDirFor(target, m.driveId);
        try {
          mkdirSync(m.driveDir);
          mkdirSync(join(m.driveDir, 'payload'));
        } catch (e) {
          throw targetError(e, m.driveDir);
        }
        fsyncDir(target);
        setOpts.onMemberStarted?.({ setId, position: m.position, members: members.length, driveId: m.driveId, target });
        return createPayloadSink(
          { driveDir: m.driveDir, driveId: m.driveId, dataKey, partPlaintextSize: partSize, startOffset: 0, totalSize: m.tarEnd - m.tarStart },
          (p) => m.parts.push(p),
          mode,
          memory,
        );
      },
      closed: async (i) => {
        const m = members[i]!;
        m.parts.sort((a, b) => a.index - b.index);
        if (m.parts.length !== m.partCount) throw new ScelleError('E_INTERNAL', `member ${m.position} got ${m.parts.length} parts, expected ${m.partCount}`);
        // A member whose successor is not attached yet is closed now: the technician detaches it next.
        const next = members[i + 1];
        if (next && next.target === null) await closeMember(m);
      },
    },
  );
  const builders =
    sink.shared && scan.entries >= internals.buildersMinEntries && tarBuildersAvailable() ? new TarBuilders(sink.shared.buffer, sink.shared.slotSize, helperThreadCount()) : null;
  try {
    await sink.start();
    await writeTarStream(opts.sources, scan, sink, { startOffset: 0, progress, signal, builders, index: spool });
    await sink.finish();
    progress.flush();
    for (const m of members) if (m.sealed === null) await closeMember(m);
  } catch (e) {
    await sink.abort();
    // Members not closed are not drives: remove them. Closed members stay whole.
    for (const m of members) if (m.sealed === null && m.driveDir) rmSync(m.driveDir, { recursive: true, force: true });
    throw e;
  } finally {
    await builders?.close();
    spool.close();
    firstDerivation?.cancel();
    dataKey.fill(0);
  }

  const first = members[0]!.sealed!;
  const result: SealResult = {
    driveId: first.driveId,
    driveDir: first.driveDir,
    manifestSha256: first.manifestSha256,
    files: scan.files,
    bytes: scan.bytes,
    parts: partSizes.length,
    resumed: false,
    customerPublicKey: first.customerPublicKey,
    set: { id: setId, members: members.map((m) => m.sealed!), unusedTargets: unused },
  };
  if (unlockKey) result.unlockCode = unlockKey.code;
  return result;
}

/** The smallest file-size limit of the targets (null: none has one). */
function smallestFileLimit(infos: readonly TargetInfo[]): number | null {
  const limits = infos.map((i) => i.maxFileSize).filter((l): l is number => l !== null);
  return limits.length === 0 ? null : Math.min(...limits);
}
