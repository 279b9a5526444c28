/**
 * seal, for data larger than one drive: a sealed set (docs/FORMAT.md §11). The sources are
 * counted, the set is planned (how many whole payload parts each member holds, from each attached
 * target's free space, or for drives still to come from `memberBytes` or the first target's), and
 * one tar stream is sealed across the members in turn (set-sink.ts) under one data key. Each
 * member is a complete scelle/1 drive: its own parts, index and signed manifest naming the set,
 * its position and every member's drive id. A member's index lists every entry sealed before the
 * member was closed: a member closed while the next drive is awaited (the technician swaps
 * drives) lists a prefix of the set, members still attached at the end list the whole set.
 * On failure, members already closed stay complete drives; members being written keep their
 * state file, from which `resume` continues them (set-resume.ts), and a set stopped at the
 * question for the next drive is continued from the station's record (set-continuation.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError, toErrorData } from '../../errors/scelle-error.js';
import { canonicalizeUnlockCode, formatUnlockCode } from '../../format/unlock-code.js';
import { unwrapKeyslots, wrapForX25519, wrapWithUnlockCodeKey, type Keyslot } from '../../format/keyslot.js';
import { stationCertificateSha256 } from '../../format/station-cert.js';
import { manifestStationOf, serializeManifest, signManifest, type Manifest } from '../../format/manifest.js';
import { IndexWriter } from '../../format/index-writer.js';
import { indexAndSlackBytes, partSizesOf, streamCiphertextSize } from '../../format/payload-size.js';
import { MAX_SET_MEMBERS, manifestSetOf, memberRanges, type TrailerSet } from '../../format/set.js';
import { MemberHoldings, type FileCount } from './member-holdings.js';
import type { NextMemberRequest, SealOptions, SealResult, SealedMember } from '../api.js';
import { throwIfCancelled } from '../abort.js';
import { INDEX_FILE, MANIFEST_FILE, README_FILE, SEAL_STATE_FILE, SIGNATURE_FILE, driveDirFor, newDriveId, readmeText } from '../drive-layout.js';
import { stationResumeKey, writeSealState, type SealState } from './seal-state.js';
import { findSetLeftovers } from './set-resume.js';
import { findSetContinuation, removeSetContinuation, writeSetContinuation } from './set-continuation.js';
import { fsyncDir, writeFileDurable } from '../durable-fs.js';
import { SINK_BUFFER_SIZE, createPayloadPipeline, sinkMemoryFor, type SinkMode } from '../payload/payload-sink.js';
import type { PartInfo } from '../payload/payload-writer.js';
import { ProgressTracker } from '../progress.js';
import type { ScanResult } from './scan.js';
import { countSources } from './count-sources.js';
import { choosePartPlaintextSize, inspectTarget, type TargetInfo } from './target.js';
import { targetError } from '../target-errors.js';
import { TarBuilders, tarBuildersAvailable } from './tar-builders.js';
import { writeTarStream } from './seal-stream.js';
import { helperThreadCount } from '../workers/parallelism.js';
import { customerPublicKey } from '../../custody/customer-key.js';
import { startUnlockKeyDerivation, type UnlockKeyDerivation } from './unlock-slot.js';
import { checkResumable, findUnfinishedSeals } from './unfinished-seals.js';
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
  /** Its resume state once its folder exists (from the interrupted seal, on a resume). */
  state: SealState | null;
  /** Sealed before (a resume): nothing to write. */
  done: boolean;
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
  sealOne: (scan: ScanResult) => Promise<SealResult>,
): Promise<SealResult> {
  const setOpts = opts.set!;
  const { recipients, station, signal } = opts;
  const attached = [opts.target, ...setOpts.more];
  if (new Set(attached).size !== attached.length) throw new ScelleError('E_USAGE', 'the same target is given twice; give each member drive once', { reason: '--to' });
  const infos = attached.map((t) => inspectTarget(t));
  const sources = opts.sources.map((s) => join(s));
  const continuationDir = setOpts.continuationDir ?? null;
  const leftovers = opts.resume ? findSetLeftovers(attached, station.id, continuationDir ? findSetContinuation(continuationDir, station.id, sources) : null) : null;
  if (!leftovers) {
    for (const t of attached) {
      const unfinished = findUnfinishedSeals(t);
      if (unfinished.length > 0)
        throw new ScelleError('E_TARGET_NOT_EMPTY', `an unfinished seal is already in ${unfinished[0]}; resume it or delete that folder first`, { path: unfinished[0]! });
    }
  }
  const anyState = leftovers ? (leftovers.continuation ?? [...leftovers.unfinished.values()][0]!.state) : null;
  const partSize = anyState?.partPlaintextSize ?? choosePartPlaintextSize(opts.partPlaintextSize, { maxFileSize: smallestFileLimit(infos) });

  // 1. Count the sources.
  const counted = await countSources(opts.sources, signal, opts.onProgress, SINK_BUFFER_SIZE);
  await counted.builders?.close(); // a set's members start builders of their own
  const scan = counted.scan;
  if (anyState && (JSON.stringify(anyState.sources) !== JSON.stringify(sources) || anyState.fingerprint !== scan.fingerprint)) {
    throw new ScelleError(
      'E_RESUME_MISMATCH',
      'the sources changed since this set seal started (files added, removed, resized or modified); delete its unfinished members and seal again',
      {
        path: [...leftovers!.unfinished.values()][0]?.driveDir ?? continuationDir!,
      },
    );
  }

  // 2. Plan the members (or take the plan of the seal resumed).
  const partSizes = partSizesOf(scan.tarSize, partSize);
  let counts: number[];
  let driveIds: string[];
  let setId: string;
  if (leftovers) {
    ({ partCounts: counts, driveIds, id: setId } = leftovers.plan);
  } else {
    const capacities = infos.map((i, k) => Math.min(i.freeBytes, setOpts.capacities?.[k] ?? Infinity, setOpts.memberBytes ?? Infinity));
    const future = setOpts.nextTarget ? (setOpts.memberBytes ?? capacities[0]!) : null;
    counts = planMembers(partSizes, scan.entries, capacities, future);
    if (counts.length === 1) return sealOne(scan);
    setId = newDriveId();
    driveIds = counts.map(() => newDriveId());
  }
  const overhead = indexAndSlackBytes(scan.entries);
  let firstPart = 0;
  const free = [...attached];
  const members: PlannedMember[] = counts.map((partCount, i) => {
    const sizes = partSizes.slice(firstPart, firstPart + partCount);
    const left = leftovers?.unfinished.get(i + 1);
    const sealedIn = leftovers?.sealed.get(i + 1);
    const m: PlannedMember = {
      position: i + 1,
      driveId: driveIds[i]!,
      partCount,
      tarStart: firstPart * partSize,
      tarEnd: firstPart * partSize + sizes.reduce((a, b) => a + b, 0),
      bytesNeeded: sizes.reduce((a, p) => a + streamCiphertextSize(p), 0) + overhead,
      target: left?.target ?? sealedIn ?? null,
      driveDir: left?.driveDir ?? null,
      parts: left ? [...left.state.parts] : [],
      sealed: null,
      state: left?.state ?? null,
      done: sealedIn !== undefined || (leftovers !== null && !left && i + 1 < leftovers.resumeAt),
    };
    firstPart += partCount;
    return m;
  });
  // Targets not holding a member yet take the members still to start, in order.
  for (const m of members) {
    const at = m.target ? free.indexOf(m.target) : -1;
    if (at >= 0) free.splice(at, 1);
  }
  for (const m of members) if (!m.target && !m.done && (!leftovers || m.position >= leftovers.resumeAt)) m.target = free.shift() ?? null;
  const layout: Omit<TrailerSet, 'position'> = leftovers?.plan ?? {
    id: setId,
    members: members.length,
    driveIds,
    partCounts: counts,
    totalSize: scan.tarSize,
    entries: scan.entries,
    files: scan.files,
    bytes: scan.bytes,
  };
  if (layout.totalSize !== scan.tarSize || layout.entries !== scan.entries)
    throw new ScelleError('E_RESUME_MISMATCH', 'the sources no longer make the set that was planned; seal again');

  // 3. Keys: new, or those of the seal resumed (wrapped to this station's resume key).
  const resumeKey = stationResumeKey(station.secretKey);
  let dataKey: Uint8Array;
  let code = unlockKey?.code ?? null;
  let firstDerivation: UnlockKeyDerivation | null = unlockKey?.derivation ?? null;
  if (anyState) {
    dataKey = await unwrapKeyslots([anyState.resumeSlot], { kind: 'x25519', secretKey: resumeKey.secretKey }, anyState.driveId).catch((e: unknown) => {
      throw new ScelleError('E_RESUME_MISMATCH', `set ${layout.id} was started by another station key; only the station that started it can resume it`, {}, { cause: e });
    });
    code = null;
    firstDerivation?.cancel();
    firstDerivation = null;
    if (anyState.unlockCodeSlot) {
      const padded = await unwrapKeyslots([anyState.unlockCodeSlot], { kind: 'x25519', secretKey: resumeKey.secretKey }, anyState.driveId);
      code = formatUnlockCode(Buffer.from(padded.subarray(0, CANONICAL_CODE_LENGTH)).toString('ascii'));
      padded.fill(0);
    }
  } else {
    dataKey = randomBytes(32);
  }
  const createdAt = anyState?.createdAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const resumeAt = leftovers?.resumeAt ?? 1;
  const startMember = members[Math.min(resumeAt, members.length) - 1]!;
  const startOffset = startMember.tarStart + startMember.parts.length * partSize;

  const mode = internals.sinkMode(scan);
  const memory = sinkMemoryFor(mode);
  const spool = new IndexSpool();
  const progress = new ProgressTracker('seal', scan.bytes, scan.files, opts.onProgress, internals.progressIntervalMs);

  /** The member's resume state: the set's plan, the data key (and code) wrapped to the station, its finished parts. */
  const stateOf = (m: PlannedMember): SealState => ({
    format: 'scelle/1-seal-state',
    driveId: m.driveId,
    createdAt,
    sources,
    fingerprint: scan.fingerprint,
    partPlaintextSize: partSize,
    partCount: m.partCount,
    stationId: station.id,
    resumeSlot: wrapForX25519(dataKey, resumeKey.publicKey, m.driveId, 'resume'),
    parts: m.parts,
    set: { ...layout, position: m.position },
    predecessorsSealed: members.every((o) => o.position >= m.position || o.done || o.sealed !== null),
    ...(code ? { unlockCodeSlot: wrapForX25519(paddedCode(code), resumeKey.publicKey, m.driveId, 'resume-code') } : {}),
  });

  const ranges = memberRanges(layout, partSize);
  let wholeSetHoldings: MemberHoldings | null = null;

  /** Writes member m's index (the lines spooled so far), keyslots and manifest: it becomes a sealed drive. */
  const closeMember = async (m: PlannedMember): Promise<void> => {
    const driveDir = m.driveDir!;
    // A member that lists the whole set has the set's totals; one closed early counts its prefix.
    // What each member holds is counted once over the whole set's lines (or over the prefix).
    const listed = spool.lineCount;
    const wholeSet = listed === scan.entries;
    const counting = wholeSet && wholeSetHoldings ? null : new MemberHoldings(ranges);
    let index: IndexWriter | null = null;
    let written;
    let held: FileCount;
    try {
      index = new IndexWriter(join(driveDir, INDEX_FILE), dataKey, m.driveId);
      for (const chunk of spool.chunks()) {
        index.addEntryLineBytes(chunk.lines, chunk.count);
        counting?.add(chunk.lines);
      }
      if (wholeSet) wholeSetHoldings ??= counting;
      const holdings = wholeSet ? wholeSetHoldings! : counting!;
      const { files, bytes } = wholeSet ? scan : holdings.all;
      held = holdings.of(m.position);
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
      index?.close();
      throw e instanceof ScelleError ? e : targetError(e, driveDir);
    }
    const keyslots: Keyslot[] = [];
    if (code) {
      const derivation = firstDerivation ?? startUnlockKeyDerivation(canonicalizeUnlockCode(code));
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
      station: manifestStationOf(station),
      set: manifestSetOf({ ...layout, position: m.position }),
    };
    const manifestBytes = serializeManifest(manifest);
    writeFileDurable(join(driveDir, SIGNATURE_FILE), signManifest(manifestBytes, station.secretKey) + '\n');
    writeFileDurable(join(driveDir, README_FILE), readmeText(m.driveId));
    throwIfCancelled(signal);
    writeFileDurable(join(driveDir, MANIFEST_FILE), manifestBytes);
    rmSync(join(driveDir, SEAL_STATE_FILE), { force: true });
    fsyncDir(driveDir);
    m.sealed = {
      position: m.position,
      members: members.length,
      driveId: m.driveId,
      driveDir,
      target: m.target!,
      parts: m.partCount,
      tarBytes: m.tarEnd - m.tarStart,
      manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
      customerPublicKey: customerPublicKey(dataKey, m.driveId),
      indexEntries: listed,
      indexComplete: wholeSet,
      files: held.files,
      bytes: held.bytes,
    };
    setOpts.onMemberSealed?.(m.sealed);
  };

  const askNextTarget =
    setOpts.nextTarget ??
    (async (r: NextMemberRequest): Promise<string> => {
      throw new ScelleError(
        'E_USAGE',
        `member ${r.position} of ${r.members} of the set needs a drive and none of the targets given is free for it; give one more target, or let the seal ask for the next drive`,
        {
          reason: '--to',
          position: r.position,
        },
      );
    });

  /** The target of member m: given, or asked for (again, with the reason, when one is refused). */
  const targetFor = async (m: PlannedMember): Promise<string> => {
    let refused: ScelleError | null = null;
    for (;;) {
      throwIfCancelled(signal);
      const target =
        m.target ??
        (await askNextTarget({
          setId: layout.id,
          position: m.position,
          members: members.length,
          driveId: m.driveId,
          bytesNeeded: m.bytesNeeded,
          refused: refused ? toErrorData(refused) : null,
        }));
      try {
        if (m.state) return target; // an unfinished member: its folder is there
        const other = members.find((o) => o !== m && o.target === target);
        if (other) throw new ScelleError('E_USAGE', `${target} already holds member ${other.position} of this set; attach another drive`, { reason: '--to' });
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
        return target;
      } catch (e) {
        if (!(e instanceof ScelleError) || m.target !== null || !setOpts.nextTarget) throw e;
        refused = e;
      }
    }
  };

  // One pipeline for every member: its threads carry on from one member's stream to the next.
  const pipeline = createPayloadPipeline(mode, memory);
  const sink = new SetSink(
    members.map((m) => m.tarEnd),
    memory,
    {
      open: async (i) => {
        const m = members[i]!;
        m.target = await targetFor(m);
        if (m.state) {
          checkResumable(m.driveDir!, m.partCount);
        } else {
          m.driveDir = driveDirFor(m.target, m.driveId);
          try {
            mkdirSync(m.driveDir);
            mkdirSync(join(m.driveDir, 'payload'));
          } catch (e) {
            throw targetError(e, m.driveDir);
          }
          m.state = stateOf(m);
          writeSealState(m.driveDir, m.state);
          fsyncDir(m.target);
          // From now on this member's state says where the set continues.
          if (continuationDir) removeSetContinuation(continuationDir, layout.id);
        }
        setOpts.onMemberStarted?.({ setId: layout.id, position: m.position, members: members.length, driveId: m.driveId, target: m.target });
        return pipeline.stream(
          {
            driveDir: m.driveDir!,
            driveId: m.driveId,
            dataKey,
            partPlaintextSize: partSize,
            startOffset: m.parts.length * partSize,
            totalSize: m.tarEnd - m.tarStart,
          },
          (p) => {
            m.parts.push(p);
            writeSealState(m.driveDir!, stateOf(m));
          },
        );
      },
      closed: async (i) => {
        const m = members[i]!;
        m.parts.sort((a, b) => a.index - b.index);
        if (m.parts.length !== m.partCount) throw new ScelleError('E_INTERNAL', `member ${m.position} got ${m.parts.length} parts, expected ${m.partCount}`);
        // A member whose successor is not attached yet is closed now: the technician detaches it next.
        const next = members[i + 1];
        if (next && next.target === null) {
          await closeMember(m);
          // Should the technician stop at the question for the next drive, the station knows where the set continues.
          if (continuationDir) writeSetContinuation(continuationDir, stateOf(next));
        }
      },
      attached: (i) => members[i]?.target != null,
    },
    startMember.position - 1,
    startOffset,
  );
  const builders =
    sink.shared && startOffset === 0 && scan.entries >= internals.buildersMinEntries && tarBuildersAvailable()
      ? new TarBuilders(sink.shared.buffer, sink.shared.slotSize, helperThreadCount())
      : null;
  try {
    await sink.start();
    await writeTarStream(opts.sources, scan, sink, { startOffset, progress, signal, builders, index: spool });
    await sink.finish();
    progress.flush();
    // Members still attached (and those finished before an interruption) are closed now, listing the whole set.
    for (const m of members) if (m.sealed === null && !m.done && m.driveDir) await closeMember(m);
  } catch (e) {
    // Members not closed keep their state: `resume` continues them. Closed members are whole drives.
    await sink.abort();
    throw e;
  } finally {
    await pipeline.close();
    await builders?.close();
    spool.close();
    firstDerivation?.cancel();
    dataKey.fill(0);
  }

  const sealedMembers = members.filter((m) => m.sealed !== null).map((m) => m.sealed!);
  const first = sealedMembers[0]!;
  const result: SealResult = {
    driveId: first.driveId,
    driveDir: first.driveDir,
    manifestSha256: first.manifestSha256,
    files: scan.files,
    bytes: scan.bytes,
    parts: partSizes.length,
    resumed: leftovers !== null,
    customerPublicKey: first.customerPublicKey,
    stationCertificateSha256: stationCertificateSha256(station.certificate),
    set: { id: layout.id, members: sealedMembers, unusedTargets: free, driveIds: [...layout.driveIds], partCounts: [...layout.partCounts] },
  };
  if (code) result.unlockCode = code;
  return result;
}

/** Length of a canonical unlock code (28 symbols). */
const CANONICAL_CODE_LENGTH = 28;

/** The canonical unlock code padded with zeros to 32 bytes, to be wrapped like a key. */
function paddedCode(code: string): Uint8Array {
  const out = new Uint8Array(32);
  out.set(Buffer.from(canonicalizeUnlockCode(code), 'ascii'));
  return out;
}

/** The smallest file-size limit of the targets (null: none has one). */
function smallestFileLimit(infos: readonly TargetInfo[]): number | null {
  const limits = infos.map((i) => i.maxFileSize).filter((l): l is number => l !== null);
  return limits.length === 0 ? null : Math.min(...limits);
}
