/**
 * Runs engine calls where the engine lives (a utility process in the app, a worker thread in
 * the e2e harness, the same thread in unit tests): one AbortController per job for cancellation, progress routed by job id, and the
 * table of unlocked sessions. A session keeps, on this side only, the drive's data key (verify
 * and open reopen the drive with it: the unlock code is not kept, and its slow key derivation
 * runs once) and its open index (never the
 * list of its entries: a drive may hold millions); callers get an opaque `s_…` id and forget
 * it with `lock`, which closes the index and zeroes the key. The data key also derives the
 * customer's custody key, so "received", "opened" and "erased" events are signed here without
 * the key ever leaving. A customer's own key file (docs/CUSTODY.md §2) is read here too: it
 * opens the drive's `customer-key` keyslot, and it signs the customer's events when the drive
 * was sealed for it (`customerSignerKind`); a drive sealed for a customer key not given gets no
 * customer signature at all (E_KEY_CUSTOMER_NEEDED), as a data-key one would be `wrong-author`.
 *
 * Browsing reads a few index segments per page. A name search reads the whole index, so it
 * runs in slices of a few thousand entries with a turn of the event loop between them: other
 * calls (browsing, progress, cancel) wait at most one slice, and a newer search of the same
 * session, or `lock`, stops it at the next slice (E_CANCELLED).
 */
import { randomBytes } from 'node:crypto';
import { customerIdentityAuthor, customerSignerKind, customerUnwrapKey, type CustomerIdentity, type CustomerSignerKind } from '../../shared/custody/customer-identity.js';
import { deriveCustomerKey } from '../../shared/custody/customer-key.js';
import { signEvent } from '../../shared/custody/event.js';
import type { DriveSecret, IndexEntry, Progress, SetAvailability, AbsentMemberReport } from '../../shared/engine/api.js';
import { ScelleError, isScelleError, toErrorData } from '../../shared/errors/scelle-error.js';
import { listSetContinuations } from '../../shared/engine/seal/set-continuation.js';
import { findInterruptedSeals } from '../interrupted-seals.js';
import type { BrowseEntry, EngineAnswers, EngineCall, EngineErrorDto, SealHooks, SealOutcome, SetMembersView } from './engine-protocol.js';
import type { EnginePort, EntryPage, PinnedRoots, SetView, UnlockedDrive } from './engine-port.js';
import { loadStationIdentity } from '../station.js';
import { createCustomerKeyFile, inspectCustomerKeyFile, loadCustomerKey } from './customer-key-files.js';

interface Session {
  driveDir: string;
  driveId: string;
  manifestSha256: string;
  /** The data key (the drive's own array while the index is open; a copy once released). */
  dataKey: Uint8Array;
  /** The open index (for a set, the member's whose index lists the most), or null once released (before an erase). */
  drive: UnlockedDrive | null;
  /** Every drive unlocked with it (the members given, for a set), closed together. */
  drives: UnlockedDrive[];
  /** The other members given with the drive (a set), reopened by verify and open. */
  members: string[];
  /** The set as the members given show it, or null for a drive sealed alone. */
  set: SetView | null;
  /** The running name search, stopped by a newer one or by lock. */
  search: AbortController | null;
  /** The customer's own key, when one was given at unlock (wiped by lock). */
  customer: CustomerIdentity | null;
  /** Which key signs this drive's customer events. */
  signer: CustomerSignerKind;
  /** Every drive unlocked that gets the customer's events: this one first, then the other members given (a set). */
  signers: SessionDrive[];
}

/** A drive of a session whose customer events can be signed here: its own custody key is derived from the data key and its drive id. */
interface SessionDrive {
  driveId: string;
  manifestSha256: string;
  signer: CustomerSignerKind;
}

/** Index entries read per search slice (about 30 ms on a slow machine). */
export const SEARCH_SLICE = 4096;

/** The live count of the sources reports at most this often (as the old walker did: every 100 ms). */
const COUNT_REPORT_MS = 100;

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** The fields of an index entry the desktop shows. */
export function toBrowseEntry(e: IndexEntry): BrowseEntry {
  const out: BrowseEntry = { path: e.path, type: e.type, size: e.size, mtime: e.mtime };
  if (e.type === 'directory') {
    if (e.entries !== undefined) out.entries = e.entries;
    if (e.files !== undefined) out.files = e.files;
    if (e.bytes !== undefined) out.bytes = e.bytes;
  }
  return out;
}

/**
 * Runs the engine's `searchNames` over the whole index in slices of `slice` entries, yielding
 * to the event loop between slices and stopping (E_CANCELLED) once `signal` is aborted. Each
 * slice hands searchNames a view of the drive whose `index.entries()` continues where the last
 * slice stopped; everything else is the real index. (Should searchNames ever read the index by
 * another method, the first call covers the whole index, in one go, and its answer is final.)
 */
export async function searchInSlices(engine: EnginePort, drive: UnlockedDrive, query: string, limit: number, signal: AbortSignal, slice = SEARCH_SLICE): Promise<EntryPage> {
  const source = drive.index.entries();
  let exhausted = false;
  let pulled = false;
  function* next(): Generator<IndexEntry> {
    pulled = true;
    for (let i = 0; i < slice; i++) {
      const n = source.next();
      if (n.done) {
        exhausted = true;
        return;
      }
      yield n.value;
    }
  }
  const index = new Proxy(drive.index, {
    get(target, key) {
      if (key === 'entries') return next;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const view: UnlockedDrive = { ...drive, index };
  const entries: IndexEntry[] = [];
  try {
    for (;;) {
      if (signal.aborted) throw new ScelleError('E_CANCELLED', 'the search was replaced or stopped');
      pulled = false;
      const page = engine.searchNames(view, query, limit - entries.length, signal);
      entries.push(...page.entries);
      if (page.more) return { entries, more: true };
      if (exhausted || !pulled) return { entries, more: false };
      await nextTurn();
    }
  } finally {
    source.return?.(undefined);
  }
}

/** Turns anything thrown into a safe error DTO (unknown errors become E_INTERNAL without their text). */
export function toErrorDto(e: unknown): EngineErrorDto {
  return toErrorData(e, { revealUnknown: false });
}

/** Decodes base64 root keys (invalid or wrong-length entries are dropped). */
export function decodeRoots(roots: readonly string[]): Uint8Array[] {
  return roots.map((r) => new Uint8Array(Buffer.from(r, 'base64'))).filter((k) => k.length === 32);
}

/** A session's customer signer for one use: its author block, what attests it, and its secret. */
interface CustomerSigner {
  author: { kind: 'customer'; id: string; publicKey: string };
  attestation: 'customer-key' | 'data-key';
  secretKey: Uint8Array;
}

/**
 * Runs `use` with the customer signer of the session's drive `d` (default: the drive unlocked):
 * the customer's own key, or the key derived from the data key and `d`'s drive id (wiped after use).
 * @throws ScelleError E_KEY_CUSTOMER_NEEDED when the drive was sealed for a customer key the
 *   session does not hold.
 */
function withCustomerSigner<T>(s: Session, use: (k: CustomerSigner) => T, d: SessionDrive = s.signers[0]!): T {
  if (d.signer === 'customer-key' && s.customer) {
    const author = customerIdentityAuthor(d.driveId, s.customer.publicKey) as CustomerSigner['author'];
    return use({ author, attestation: 'customer-key', secretKey: s.customer.secretKey });
  }
  if (d.signer === 'needs-customer-key' || d.signer === 'customer-key')
    throw new ScelleError('E_KEY_CUSTOMER_NEEDED', 'this drive was sealed for a customer key; its receipts must be signed with that key', { driveId: d.driveId });
  const k = deriveCustomerKey(s.dataKey, d.driveId);
  try {
    return use({ author: { kind: 'customer', id: k.authorId, publicKey: k.publicKey }, attestation: 'data-key', secretKey: k.secretKey });
  } finally {
    k.secretKey.fill(0);
  }
}

/** The author of drive `d`'s customer events in session `s`, and what attests them. */
function authorOf(s: Session, d: SessionDrive): EngineAnswers['customerAuthor'] {
  return withCustomerSigner(
    s,
    (k) => ({ driveId: d.driveId, authorId: k.author.id, publicKey: k.author.publicKey, manifestSha256: d.manifestSha256, attestation: k.attestation }),
    d,
  );
}

/** The dispatcher: `run` executes a call; `cancel` aborts a running job. */
export class EngineDispatcher {
  private readonly jobs = new Map<string, AbortController>();
  private readonly sessions = new Map<string, Session>();
  private loaded: EnginePort | null = null;

  constructor(
    private readonly engine: () => Promise<EnginePort>,
    private readonly onProgress: (jobId: string, p: Progress) => void,
    private readonly pinnedRoots: PinnedRoots = [],
    /** Index entries per search slice (tests use small slices). */
    private readonly searchSlice = SEARCH_SLICE,
  ) {}

  /** Aborts job `jobId`; true when it was running. */
  cancel(jobId: string): boolean {
    const c = this.jobs.get(jobId);
    if (!c) return false;
    c.abort();
    return true;
  }

  /** Number of open sessions (for tests and diagnostics). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Stops every job and search and closes every session (indexes closed, keys zeroed). */
  closeAll(): void {
    for (const c of this.jobs.values()) c.abort();
    for (const id of [...this.sessions.keys()]) this.lock(id);
  }

  /** Executes one call; `hooks` serve a set seal (the next drive, members started and sealed). Errors are ScelleErrors (E_CANCELLED when aborted). */
  async run<C extends EngineCall>(call: C, hooks: SealHooks = {}): Promise<EngineAnswers[C['op']]> {
    if (!('jobId' in call)) return (await this.runQuick(call)) as EngineAnswers[C['op']];
    if (this.jobs.has(call.jobId)) throw new ScelleError('E_USAGE', 'a job with this id is already running', { jobId: call.jobId });
    const controller = new AbortController();
    this.jobs.set(call.jobId, controller);
    try {
      const value = await this.runJob(call, controller.signal, hooks);
      if (controller.signal.aborted) throw new ScelleError('E_CANCELLED', 'the job was cancelled');
      return value as EngineAnswers[C['op']];
    } catch (e) {
      if (controller.signal.aborted && !isScelleError(e, 'E_CANCELLED')) throw new ScelleError('E_CANCELLED', 'the job was cancelled', {}, { cause: e });
      throw e;
    } finally {
      this.jobs.delete(call.jobId);
    }
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new ScelleError('E_USAGE', 'this drive is no longer unlocked; unlock it again', {});
    return s;
  }

  /** The session's open index. */
  private openDrive(id: string): { s: Session; drive: UnlockedDrive } {
    const s = this.session(id);
    if (!s.drive) throw new ScelleError('E_USAGE', 'this drive is no longer unlocked; unlock it again', {});
    return { s, drive: s.drive };
  }

  /** Forgets session `id`: stops its search, closes its index and zeroes its key. */
  private lock(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    s.search?.abort();
    if (s.drive) this.closeDrives(s);
    s.drive = null;
    s.dataKey.fill(0);
    s.customer?.secretKey.fill(0);
    s.customer = null;
    return true;
  }

  /** Closes session `id`'s index and keeps a copy of its key (to sign the erase); false when already released. */
  private release(id: string): boolean {
    const s = this.session(id);
    if (!s.drive) return false;
    s.search?.abort();
    // Keep a copy of the key to sign the erase; closeUnlocked wipes the drive's own.
    s.dataKey = Uint8Array.from(s.drive.dataKey);
    this.closeDrives(s);
    s.drive = null;
    return true;
  }

  /** Closes the session's indexes with the engine that opened them (loaded by the time a session exists). */
  private closeDrives(s: Session): void {
    for (const d of s.drives) this.loaded!.closeUnlocked(d);
    s.drives = [];
  }

  private async engineNow(): Promise<EnginePort> {
    this.loaded ??= await this.engine();
    return this.loaded;
  }

  private async runQuick(call: Exclude<EngineCall, { jobId: string }>): Promise<unknown> {
    switch (call.op) {
      case 'inspect':
        return (await this.engineNow()).inspect(call.args.driveDir, this.pinnedRoots);
      case 'unlock':
        return this.unlock(call.args);
      case 'customerKeyCreate':
        return createCustomerKeyFile(call.args.path);
      case 'customerKeyInspect':
        return inspectCustomerKeyFile(call.args.path);
      case 'setMembers':
        return setMembersOf(await this.engineNow(), call.args.driveDir, call.args.candidates, this.pinnedRoots);
      case 'availability': {
        const { s, drive } = this.openDrive(call.args.sessionId);
        if (!s.set) return null;
        return availabilityInSlices(await this.engineNow(), drive, s.set, this.searchSlice);
      }
      case 'lock':
        return { locked: this.lock(call.args.sessionId) };
      case 'release':
        return { released: this.release(call.args.sessionId) };
      case 'erase': {
        const engine = await this.engineNow();
        // The unlocked session's index file must be closed before it is overwritten and deleted
        // (Windows cannot remove an open file's folder); its key stays to sign the record.
        if (call.args.sessionId) this.release(call.args.sessionId);
        return engine.eraseDrive({ driveDir: call.args.driveDir });
      }
      case 'browse': {
        const { drive } = this.openDrive(call.args.sessionId);
        const page = (await this.engineNow()).browseFolder(drive, call.args.folder, call.args.start, call.args.limit);
        const t = drive.indexTrailer;
        return { entries: page.entries.map(toBrowseEntry), more: page.more, totals: { entries: t.entries, files: t.files, bytes: t.bytes } };
      }
      case 'search': {
        const { s, drive } = this.openDrive(call.args.sessionId);
        s.search?.abort();
        const controller = new AbortController();
        s.search = controller;
        try {
          const page = await searchInSlices(await this.engineNow(), drive, call.args.query, call.args.limit, controller.signal, this.searchSlice);
          return { entries: page.entries.map(toBrowseEntry), more: page.more };
        } finally {
          if (s.search === controller) s.search = null;
        }
      }
      case 'interrupted':
        return findInterruptedSeals(call.args.volumes);
      case 'setContinuations': {
        const station = await loadStationIdentity(call.args.stationKeyFile);
        station.secretKey.fill(0);
        return listSetContinuations(call.args.dir, station.id);
      }
      case 'customerAuthor': {
        const s = this.session(call.args.sessionId);
        return authorOf(s, s.signers[0]!);
      }
      case 'customerAuthors': {
        const s = this.session(call.args.sessionId);
        return s.signers.map((d) => authorOf(s, d));
      }
      case 'customerSign': {
        const s = this.session(call.args.sessionId);
        const e = call.args.event;
        const d = s.signers.find((x) => x.driveId === e.driveId);
        if (!d) throw new ScelleError('E_CUSTODY_SIGNATURE', 'only the customer events of the drives unlocked can be signed here', {});
        return withCustomerSigner(
          s,
          (k) => {
            if (e.author.kind !== 'customer' || e.author.publicKey !== k.author.publicKey)
              throw new ScelleError('E_CUSTODY_SIGNATURE', 'only this drive’s customer events can be signed here', {});
            return signEvent(e, k.secretKey);
          },
          d,
        );
      }
    }
  }

  /**
   * Unlocks a drive (and the other members of its set given in `members`: unlocked once, checked
   * whole) with the unlock code, or else with the customer key file, and opens a session that
   * keeps the data key and, when a key file was given, the customer's key.
   * @throws ScelleError E_USAGE without a code or key file; E_KEY_FILE (the key file);
   *   E_KEY_WRONG (neither opens the drive); E_SET_MISMATCH; as unlockDrives otherwise.
   */
  private async unlock(args: { driveDir: string; code?: string; keyFile?: string; members?: string[] }): Promise<EngineAnswers['unlock']> {
    if (args.code === undefined && args.keyFile === undefined) throw new ScelleError('E_USAGE', 'give the unlock code or a customer key file', {});
    const customer = args.keyFile !== undefined ? await loadCustomerKey(args.keyFile) : null;
    let secret: DriveSecret | null = null;
    try {
      secret = args.code !== undefined ? { kind: 'unlock-code', code: args.code } : { kind: 'x25519', secretKey: customerUnwrapKey(customer!) };
      const engine = await this.engineNow();
      const opened = await engine.unlockDrives(engine.loadDrives([args.driveDir, ...(args.members ?? [])], this.pinnedRoots), secret);
      const picked = opened.drives.find((d) => d.info.driveDir === args.driveDir) ?? opened.drives[0]!;
      const sessionId = `s_${randomBytes(18).toString('base64url')}`;
      const { info } = picked;
      const signer = customerSignerKind(picked.manifest.keyslots, customer?.publicKey ?? null);
      // Each member present gets the customer's events in its own chain (as the command line records them).
      const signers: SessionDrive[] = [
        { driveId: info.driveId, manifestSha256: info.manifestSha256, signer },
        ...opened.drives
          .filter((d) => d !== picked)
          .map((d) => ({ driveId: d.info.driveId, manifestSha256: d.info.manifestSha256, signer: customerSignerKind(d.manifest.keyslots, customer?.publicKey ?? null) })),
      ];
      this.sessions.set(sessionId, {
        driveDir: info.driveDir,
        driveId: info.driveId,
        manifestSha256: info.manifestSha256,
        dataKey: opened.catalogue.dataKey,
        drive: opened.catalogue,
        drives: opened.drives,
        members: opened.drives.filter((d) => d !== picked).map((d) => d.info.driveDir),
        set: opened.set,
        search: null,
        customer: signers.some((d) => d.signer === 'customer-key') ? customer : null,
        signer,
        signers,
      });
      if (!signers.some((d) => d.signer === 'customer-key')) customer?.secretKey.fill(0);
      return { sessionId, driveId: info.driveId, openedWith: args.code !== undefined ? 'unlock-code' : 'customer-key', receipts: signer };
    } catch (e) {
      customer?.secretKey.fill(0);
      throw e;
    } finally {
      if (secret?.kind === 'x25519') secret.secretKey.fill(0);
    }
  }

  private async runJob(call: Extract<EngineCall, { jobId: string }>, signal: AbortSignal, hooks: SealHooks): Promise<unknown> {
    const onProgress = (p: Progress) => this.onProgress(call.jobId, p);
    switch (call.op) {
      case 'count': {
        // The engine's own count, as the seal makes it: what the seal refuses (a FIFO or a device,
        // two sources of the same name) is refused here already, and a million files count on its workers.
        const engine = await this.engineNow();
        const started = Date.now();
        let reported = 0;
        const t = await engine.countSourceTotals(call.args.paths, {
          signal,
          onCount: (c) => {
            const now = Date.now();
            if (now - reported < COUNT_REPORT_MS) return;
            reported = now;
            onProgress({
              phase: 'scan',
              bytesDone: c.bytes,
              bytesTotal: 0,
              filesDone: c.files,
              filesTotal: 0,
              bytesPerSecond: c.bytes / Math.max(0.001, (now - started) / 1000),
              etaSeconds: null,
            });
          },
        });
        return { files: t.files, directories: t.folders, bytes: t.bytes };
      }
      case 'seal': {
        const engine = await this.engineNow();
        const station = await loadStationIdentity(call.args.stationKeyFile);
        const r = await engine.seal({
          sources: call.args.sources,
          target: call.args.target,
          recipients: {
            unlockCode: call.args.unlockCode,
            x25519: call.args.x25519.map((k) => ({ label: k.label, publicKey: new Uint8Array(Buffer.from(k.publicKey, 'base64')) })),
          },
          station,
          ...(call.args.partPlaintextSize ? { partPlaintextSize: call.args.partPlaintextSize } : {}),
          ...(call.args.resume ? { resume: true } : {}),
          ...(call.args.set ? { set: setOptions(call.args.set, hooks, signal) } : {}),
          signal,
          onProgress,
        });
        station.secretKey.fill(0);
        const out: SealOutcome = {
          driveId: r.driveId,
          driveDir: r.driveDir,
          manifestSha256: r.manifestSha256,
          files: r.files,
          bytes: r.bytes,
          parts: r.parts,
          customerPublicKey: r.customerPublicKey,
          stationCertificateSha256: r.stationCertificateSha256,
        };
        if (r.unlockCode !== undefined) out.unlockCode = r.unlockCode;
        if (r.set) out.set = r.set;
        return out;
      }
      case 'verify': {
        const engine = await this.engineNow();
        // A session's drive is opened with its data key: no second key derivation.
        const secret: DriveSecret | undefined = call.args.sessionId ? { kind: 'data-key', key: this.session(call.args.sessionId).dataKey } : undefined;
        const report = await engine.verify({ driveDir: call.args.driveDir, ...(secret ? { secret } : {}), pinnedRoots: this.pinnedRoots, signal, onProgress });
        const { customerKey, ...safe } = report;
        customerKey?.secretKey.fill(0);
        return safe;
      }
      case 'open': {
        const s = this.session(call.args.sessionId);
        const r = await (
          await this.engineNow()
        ).open({
          driveDir: s.driveDir,
          ...(s.members.length > 0 ? { members: s.members } : {}),
          secret: { kind: 'data-key', key: s.dataKey },
          dest: call.args.dest,
          pinnedRoots: this.pinnedRoots,
          ...(call.args.paths ? { paths: call.args.paths } : {}),
          ...(call.args.overwrite ? { overwrite: call.args.overwrite } : {}),
          signal,
          onProgress,
        });
        r.customerKey.secretKey.fill(0);
        for (const m of r.members ?? []) m.customerKey.secretKey.fill(0);
        return { files: r.files, bytes: r.bytes, verified: r.verified, ...(r.set ? { set: r.set } : {}) };
      }
    }
  }
}

/** Paths named per absent member in an availability report, at most (as a restore reports them). */
export const AVAILABILITY_PATHS = 50;

/**
 * The engine's set options for a seal: the main side's choice (`SealSetCall`) with this side's
 * callbacks. The next drive is asked of `hooks.nextTarget`; the question is dropped (E_CANCELLED)
 * as soon as the job is cancelled, whether or not anyone answers.
 */
function setOptions(set: NonNullable<Extract<EngineCall, { op: 'seal' }>['args']['set']>, hooks: SealHooks, signal: AbortSignal) {
  const ask = hooks.nextTarget;
  return {
    more: set.more,
    ...(set.memberBytes !== undefined ? { memberBytes: set.memberBytes } : {}),
    ...(set.capacities !== undefined ? { capacities: set.capacities } : {}),
    ...(set.continuationDir !== undefined ? { continuationDir: set.continuationDir } : {}),
    ...(set.waitForDrives && ask ? { nextTarget: (request: Parameters<typeof ask>[0]) => untilAborted(ask(request), signal) } : {}),
    onMemberStarted: (m: Parameters<NonNullable<SealHooks['onMemberStarted']>>[0]) => hooks.onMemberStarted?.(m),
    onMemberSealed: (m: Parameters<NonNullable<SealHooks['onMemberSealed']>>[0]) => hooks.onMemberSealed?.(m),
  };
}

/** `p`, or E_CANCELLED once `signal` aborts (whichever comes first). */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ScelleError('E_CANCELLED', 'the job was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ScelleError('E_CANCELLED', 'the job was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new ScelleError('E_INTERNAL', 'the next drive could not be had'));
      },
    );
  });
}

/**
 * The set of the drive at `driveDir` (from its manifest, no key) and which of `candidates` are
 * its members: a candidate counts when its manifest names the same set and member list at its
 * position. Candidates that cannot be read (damaged, not a drive) are skipped. Errors as
 * loadDrive for `driveDir` itself.
 */
export function setMembersOf(engine: EnginePort, driveDir: string, candidates: readonly string[], pinnedRoots: PinnedRoots): SetMembersView {
  const set = engine.loadDrive(driveDir, pinnedRoots).manifest.set ?? null;
  if (!set) return { set: null, members: [] };
  const found = new Map<number, string>([[set.position, driveDir]]);
  for (const c of candidates) {
    if (c === driveDir) continue;
    let s;
    try {
      s = engine.loadDrive(c, pinnedRoots).manifest.set;
    } catch {
      continue;
    }
    if (!s || s.id !== set.id || s.members !== set.members || s.driveIds[s.position - 1] !== set.driveIds[s.position - 1] || found.has(s.position)) continue;
    if (!s.driveIds.every((d, i) => d === set.driveIds[i])) continue;
    found.set(s.position, c);
  }
  return { set, members: set.driveIds.map((driveId, i) => ({ position: i + 1, driveId, driveDir: found.get(i + 1) ?? null })) };
}

/**
 * What an unlocked set's members present can restore: each absent member with the files (and
 * bytes) that need it and the first of them, and the entries no member present lists. One pass
 * over the index, a turn of the event loop every `slice` entries.
 */
export async function availabilityInSlices(engine: EnginePort, drive: UnlockedDrive, set: SetView, slice = SEARCH_SLICE): Promise<SetAvailability> {
  const tally = new Map<number, AbsentMemberReport>(set.absent.map((a) => [a.position, { ...a, files: 0, bytes: 0, paths: [] }]));
  if (tally.size > 0) {
    let n = 0;
    for (const e of drive.index.entries()) {
      if (e.type === 'file') {
        for (const a of engine.absentMembersFor(set, e)) {
          const t = tally.get(a.position)!;
          t.files++;
          t.bytes += e.size;
          if (t.paths.length < AVAILABILITY_PATHS) t.paths.push(e.path);
        }
      }
      if (++n % slice === 0) await nextTurn();
    }
  }
  return { id: set.id, members: set.members, present: set.present, absent: [...tally.values()], notListed: set.totals.entries - set.listed };
}
