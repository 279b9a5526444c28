/**
 * seal: files and folders → a sealed drive folder `SCELLE-<driveId>/` (scelle/1).
 * The sources are counted first (count-sources.ts: totals, tar size, fingerprint, builder batches), then walked again in
 * index order and sealed as they are read, the walk checked against the count; neither pass
 * holds the list of entries, and each entry's index line is encrypted into index.scx as it is
 * written (index-writer.ts), so memory stays flat in the number of entries.
 * Streams through a fixed pool of shared-memory slots (bounded memory, backpressure): runs of
 * small files are read and framed by tar builder workers, large files by this thread;
 * encryption and writing run on worker threads (payload-sink.ts). Fsyncs every part before
 * recording it, and writes manifest.json last, so a drive without manifest.json is never a
 * sealed drive. An interrupted seal leaves a state file
 * from which `resume: true` continues, re-encrypting only the unfinished part under a new
 * salt (never reusing a key and nonce), after checking that the sources did not change.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError } from '../../errors/scelle-error.js';
import { generateUnlockCode, canonicalizeUnlockCode } from '../../format/unlock-code.js';
import { unwrapKeyslots, wrapForX25519, wrapWithUnlockCodeKey, type Keyslot } from '../../format/keyslot.js';
import { startUnlockKeyDerivation, type UnlockKeyDerivation } from './unlock-slot.js';
import { stationCertificateSha256 } from '../../format/station-cert.js';
import { manifestStationOf, serializeManifest, signManifest, type Manifest } from '../../format/manifest.js';
import { IndexWriter } from '../../format/index-writer.js';
import { partSizesOf, sealedBytes } from '../../format/payload-size.js';
import type { SealOptions, SealResult } from '../api.js';
import { throwIfCancelled } from '../abort.js';
import { INDEX_FILE, MANIFEST_FILE, README_FILE, SEAL_STATE_FILE, SIGNATURE_FILE, driveDirFor, newDriveId, readmeText } from '../drive-layout.js';
import { fsyncDir, writeFileDurable } from '../durable-fs.js';
import { createPayloadSink, SINK_BUFFER_SIZE, type SinkMode } from '../payload/payload-sink.js';
import type { PartInfo } from '../payload/payload-writer.js';
import { ProgressTracker } from '../progress.js';
import { requireUnexpiredCertificate } from './certificate-validity.js';
import { readSealState, stationResumeKey, writeSealState, type SealState } from './seal-state.js';
import type { ScanResult } from './scan.js';
import { BUILDERS_FROM_ENTRIES, countSources, type SealCount } from './count-sources.js';
import { choosePartPlaintextSize, inspectTarget, type TargetInfo } from './target.js';
import { targetError } from '../target-errors.js';
import { TarBuilders, tarBuildersAvailable } from './tar-builders.js';
import { writeTarStream } from './seal-stream.js';
import { helperThreadCount } from '../workers/parallelism.js';
import { customerPublicKey } from '../../custody/customer-key.js';
import { sealSet } from './seal-set.js';

/** Extra knobs for tests and benchmarks. */
export interface SealInternals {
  /** 'inline' writes the payload in this thread; 'worker' and 'pipeline' on 2 or 3 threads when compiled. Default: by payload size and average file size. */
  sinkMode?: SinkMode;
  /** Minimum time between progress reports (default 100 ms; tests use 0 to see every chunk). */
  progressIntervalMs?: number;
}

export { findUnfinishedSeals } from './unfinished-seals.js';
import { checkResumable, findUnfinishedSeals } from './unfinished-seals.js';

/**
 * Seals `opts.sources` into a new drive folder under `opts.target` (see module doc).
 * Errors: E_KEY_NO_RECIPIENT, E_USAGE, E_SOURCE_* (missing, unreadable, unsupported,
 * changed while read), E_TARGET_* (missing, read-only, too small, full, I/O),
 * E_TARGET_NOT_EMPTY (an unfinished seal is there and resume was not asked),
 * E_RESUME_MISMATCH, E_FORMAT_UNSAFE_ENTRY / E_FORMAT_LIMIT (a resume whose drive folder holds
 * a link where the seal writes, or an oversized state file), E_CANCELLED. On any error after writing started, the partial drive
 * stays resumable and nothing reports it as sealed.
 */
export async function seal(opts: SealOptions, internals: SealInternals = {}): Promise<SealResult> {
  const { recipients } = opts;
  if (!recipients.unlockCode && recipients.x25519.length === 0) {
    throw new ScelleError('E_KEY_NO_RECIPIENT', 'a drive needs at least one recipient: an unlock code or a public key');
  }
  requireUnexpiredCertificate(opts.station);
  // The unlock code's KDF (Argon2id, 64 MiB) starts now and runs on another core while the
  // sources are counted; it is stopped if the seal fails before it is needed.
  const unlockCode = recipients.unlockCode ? generateUnlockCode() : undefined;
  const unlockKey = unlockCode ? { code: unlockCode, derivation: startUnlockKeyDerivation(canonicalizeUnlockCode(unlockCode)) } : null;
  try {
    if (opts.set && (opts.set.more.length > 0 || opts.set.nextTarget || opts.resume)) {
      return await sealSet(
        opts,
        { sinkMode: (scan) => internals.sinkMode ?? chooseSinkMode(scan), buildersMinEntries: BUILDERS_FROM_ENTRIES, progressIntervalMs: internals.progressIntervalMs },
        unlockKey,
        (scan) => sealWith(opts, internals, unlockKey, scan),
      );
    }
    return await sealWith(opts, internals, unlockKey);
  } finally {
    unlockKey?.derivation.cancel();
  }
}

/** The one-drive seal; `counted`: the sources' count when the caller already made it (a set that fits on one drive). */
async function sealWith(
  opts: SealOptions,
  internals: SealInternals,
  unlockKey: { code: string; derivation: UnlockKeyDerivation } | null,
  counted?: ScanResult,
): Promise<SealResult> {
  const { station, signal } = opts;
  const target = inspectTarget(opts.target);
  const unfinished = findUnfinishedSeals(opts.target);
  let resumeState: SealState | null = null;
  if (opts.resume) {
    if (unfinished.length !== 1) {
      throw new ScelleError(
        'E_RESUME_MISMATCH',
        unfinished.length === 0
          ? `there is no unfinished seal in ${opts.target} to resume`
          : `${unfinished.length} unfinished seals are in ${opts.target}; keep only the one to resume`,
        { path: opts.target },
      );
    }
    resumeState = readSealState(unfinished[0]!);
    if (resumeState.stationId !== station.id) {
      throw new ScelleError('E_RESUME_MISMATCH', `the unfinished seal was started by station ${resumeState.stationId}; only that station can resume it`);
    }
    // A member of a set holds only its range of the set's stream: resumed as one drive, its
    // finished parts would be taken for the start of the stream (a drive that restores nothing).
    if (resumeState.set) {
      throw new ScelleError(
        'E_RESUME_MISMATCH',
        `${unfinished[0]} is member ${resumeState.set.position} of an unfinished set; resume it as a set, with its other drives or the next one asked for`,
        { path: unfinished[0]!, reason: 'set-member' },
      );
    }
  } else if (unfinished.length > 0) {
    throw new ScelleError('E_TARGET_NOT_EMPTY', `an unfinished seal is already in ${unfinished[0]}; resume it or delete that folder first`, { path: unfinished[0]! });
  }

  // 1. Count the sources.
  // The count also plans the tar builders' batches (cut at the payload sink's slot size), and
  // its workers, if it started any, go on to build them.
  const count = counted ? { scan: counted, builders: null } : await countSources(opts.sources, signal, opts.onProgress, SINK_BUFFER_SIZE);
  try {
    return await sealCounted(opts, internals, unlockKey, resumeState, unfinished, target, count);
  } finally {
    await count.builders?.close(); // not taken by the seal (it failed before, or needs none)
  }
}

/** The one-drive seal once its sources are counted (see {@link sealWith}). */
async function sealCounted(
  opts: SealOptions,
  internals: SealInternals,
  unlockKey: { code: string; derivation: UnlockKeyDerivation } | null,
  resumeState: SealState | null,
  unfinished: string[],
  target: TargetInfo,
  count: SealCount,
): Promise<SealResult> {
  const { recipients, station, signal } = opts;
  const { scan } = count;

  // 2. Decide sizes and check space.
  const partSize = resumeState?.partPlaintextSize ?? choosePartPlaintextSize(opts.partPlaintextSize, target);
  if (resumeState) {
    const sourcesSame = JSON.stringify(resumeState.sources) === JSON.stringify(opts.sources.map((s) => join(s)));
    if (!sourcesSame || resumeState.fingerprint !== scan.fingerprint) {
      throw new ScelleError(
        'E_RESUME_MISMATCH',
        'the sources changed since this seal started (files added, removed, resized or modified); delete the unfinished folder and seal again',
        { path: unfinished[0]! },
      );
    }
  }
  const partSizes = partSizesOf(scan.tarSize, partSize);
  const partCount = partSizes.length;
  const finishedParts = resumeState?.parts ?? [];
  const bytesNeeded = sealedBytes(scan.tarSize, scan.entries, partSize, finishedParts.length);
  if (bytesNeeded > target.freeBytes) {
    throw new ScelleError('E_TARGET_TOO_SMALL', `the target needs ${bytesNeeded} bytes free and has ${target.freeBytes}`, { needed: bytesNeeded, free: target.freeBytes });
  }

  // 3. Drive identity, data key, state.
  let driveId: string;
  let dataKey: Uint8Array;
  let state: SealState;
  const resumeKey = stationResumeKey(station.secretKey);
  if (resumeState) {
    driveId = resumeState.driveId;
    dataKey = await unwrapKeyslots([resumeState.resumeSlot], { kind: 'x25519', secretKey: resumeKey.secretKey }, driveId);
    state = resumeState;
  } else {
    driveId = newDriveId();
    dataKey = randomBytes(32);
    state = {
      format: 'scelle/1-seal-state',
      driveId,
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      sources: opts.sources.map((s) => join(s)),
      fingerprint: scan.fingerprint,
      partPlaintextSize: partSize,
      partCount,
      stationId: station.id,
      resumeSlot: wrapForX25519(dataKey, resumeKey.publicKey, driveId, 'resume'),
      parts: [],
    };
  }
  const driveDir = driveDirFor(opts.target, driveId);
  if (resumeState) checkResumable(driveDir, partCount);
  if (!resumeState) {
    try {
      mkdirSync(driveDir);
      mkdirSync(join(driveDir, 'payload'));
    } catch (e) {
      throw targetError(e, driveDir);
    }
    writeSealState(driveDir, state);
    fsyncDir(opts.target);
  }

  // With many entries, the unlock code's key must be ready (and its 64 MiB gone) before the
  // payload workers start, whose memory grows with the number of entries; with few, it keeps
  // running beside them.
  let unlockSlot: Keyslot | null = null;
  const wrapUnlockSlot = async () => {
    if (!unlockKey) return;
    const derived = await unlockKey.derivation.result;
    try {
      unlockSlot = wrapWithUnlockCodeKey(dataKey, derived, driveId);
    } finally {
      derived.kek.fill(0);
    }
    throwIfCancelled(signal);
  };
  if (scan.entries >= BUILDERS_FROM_ENTRIES) await wrapUnlockSlot();

  // 4. Payload.
  const startOffset = finishedParts.length * partSize;
  const parts: PartInfo[] = [...finishedParts];
  // Many entries: their per-file work is spread over tar builder workers (not on a resume,
  // which must skip the finished parts entry by entry).
  const withBuilders = startOffset === 0 && scan.entries >= BUILDERS_FROM_ENTRIES && tarBuildersAvailable();
  const sink = createPayloadSink(
    { driveDir, driveId, dataKey, partPlaintextSize: partSize, startOffset, totalSize: scan.tarSize },
    (p) => {
      parts.push(p);
      state = { ...state, parts: [...parts] };
      writeSealState(driveDir, state);
    },
    internals.sinkMode ?? chooseSinkMode(scan, withBuilders),
  );
  let builders: TarBuilders | null = null;
  if (sink.shared && withBuilders) {
    builders = count.builders?.useSlots(sink.shared.buffer, sink.shared.slotSize) ?? new TarBuilders(sink.shared.buffer, sink.shared.slotSize, helperThreadCount());
    count.builders = null; // taken: closed below with the seal's own
  }
  const progress = new ProgressTracker('seal', scan.bytes, scan.files, opts.onProgress, internals.progressIntervalMs);
  // The index is encrypted into index.scx as the entries go (a resume writes it anew).
  let index: IndexWriter;
  try {
    index = new IndexWriter(join(driveDir, INDEX_FILE), dataKey, driveId);
  } catch (e) {
    await sink.abort();
    await builders?.close();
    throw targetError(e, driveDir);
  }
  try {
    await writeTarStream(opts.sources, scan, sink, { startOffset, progress, signal, builders, index });
    await sink.finish();
  } catch (e) {
    await sink.abort();
    index.close();
    throw e;
  } finally {
    await builders?.close();
  }
  progress.flush();
  parts.sort((a, b) => a.index - b.index);
  if (parts.length !== partCount) throw new ScelleError('E_INTERNAL', `wrote ${parts.length} parts, expected ${partCount}`);

  // 5. Index: the directory and the trailer (the authenticated part sizes and totals).
  let writtenIndex;
  try {
    writtenIndex = index.finish({ parts: partCount, partSizes, totalSize: scan.tarSize, files: scan.files, bytes: scan.bytes });
  } catch (e) {
    index.close();
    throw targetError(e, driveDir);
  }

  // 6. Manifest, signature, notice; manifest.json last.
  if (unlockSlot === null) await wrapUnlockSlot();
  const keyslots: Keyslot[] = [];
  if (unlockSlot) keyslots.push(unlockSlot);
  for (const r of recipients.x25519) keyslots.push(wrapForX25519(dataKey, r.publicKey, driveId, r.label));
  const manifest: Manifest = {
    format: 'scelle/1',
    driveId,
    createdAt: state.createdAt,
    payload: { aead: 'AES256_GCM_HKDF_1MB', partPlaintextSize: partSize, parts: parts.map((p) => ({ file: p.file, size: p.size, sha256: p.sha256 })) },
    index: { file: INDEX_FILE, size: writtenIndex.size, sha256: writtenIndex.sha256 },
    keyslots,
    station: manifestStationOf(station),
  };
  const manifestBytes = serializeManifest(manifest);
  writeFileDurable(join(driveDir, SIGNATURE_FILE), signManifest(manifestBytes, station.secretKey) + '\n');
  writeFileDurable(join(driveDir, README_FILE), readmeText(driveId));
  throwIfCancelled(signal);
  writeFileDurable(join(driveDir, MANIFEST_FILE), manifestBytes);
  rmSync(join(driveDir, SEAL_STATE_FILE), { force: true });
  fsyncDir(driveDir);
  const customerKey = customerPublicKey(dataKey, driveId);
  dataKey.fill(0);

  const result: SealResult = {
    driveId,
    driveDir,
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    files: scan.files,
    bytes: scan.bytes,
    parts: partCount,
    resumed: resumeState !== null,
    customerPublicKey: customerKey,
    stationCertificateSha256: stationCertificateSha256(station.certificate),
  };
  if (unlockKey) result.unlockCode = unlockKey.code;
  return result;
}

/** Below this, starting the encryption worker costs more than it saves. */
const WORKER_MIN_BYTES = 8 << 20;
/**
 * From this average file size, encryption and writing get a thread each (three stages): the
 * sealing loop then has time to spare. Below it, the tar builders keep every core busy and a
 * third payload thread would only add memory.
 */
const PIPELINE_MIN_AVERAGE_FILE = 1 << 20;

/**
 * Bytes in entries larger than a slot, at most, for the payload to be written in the sealing
 * thread beside the tar builders: the sealing loop reads and hashes those entries itself, and
 * would then encrypt and write them too.
 */
const SHARED_INLINE_MAX_LARGE_BYTES = 64 << 20;

/**
 * The payload sink for what the scan found; `withBuilders` when tar builder workers will build
 * the stream. Then, with small files, the sealing thread mostly waits for the builders and has
 * the time to encrypt, hash and write each slot itself: a payload worker would only add its
 * start, its compilation and two messages a slot (50,000 files of 13 KB: 0.19 s of CPU,
 * docs/BENCHMARKS.md, session 11).
 */
function chooseSinkMode(scan: ScanResult, withBuilders = false): SinkMode {
  if (scan.tarSize < WORKER_MIN_BYTES) return 'inline';
  if (scan.bytes >= scan.files * PIPELINE_MIN_AVERAGE_FILE) return 'pipeline';
  if (withBuilders && scan.plan !== undefined && scan.plan.largeBytes <= SHARED_INLINE_MAX_LARGE_BYTES) return 'inline-shared';
  return 'worker';
}
