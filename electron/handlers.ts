/**
 * The main-process IPC handlers, in plain Node: one entry point taking a transport-agnostic
 * message `{ channel, senderUrl, payload }`, which checks the sender, validates the payload
 * against shared/ipc, runs the call and answers an IpcResult envelope. Electron's ipcMain and
 * the e2e harness's HTTP bridge both call `handle`. Payloads are never logged.
 */
import type { DriveTrust } from './drive-trust.js';
import { basename } from 'node:path';
import { canonicalizeUnlockCode } from '../shared/format/unlock-code.js';
import { stationCertificateSha256 } from '../shared/format/station-cert.js';
import { carrierName, detectCarriers, trackingUrl, validateTrackingNumber, type CarrierId } from '../shared/carriers/index.js';
import { checkDriveForSeal, findSealedFolders, type AttachedDrive } from '../shared/drives/index.js';
import { ScelleError, isScelleError } from '../shared/errors/scelle-error.js';
import {
  eventChannels, invokeChannels, ipcFail, ipcOk, isAcceptableCustodyUrl,
  type EventChannel, type EventOf, type InvokeChannel, type IpcResult, type Language, type RequestOf, type ResponseOf,
} from '../shared/ipc/index.js';
import type { EngineHost } from './engine/engine-host.js';
import { importEnrolment } from './enrolment.js';
import { sanitizationData } from '../shared/engine/erase.js';
import { PathGrants } from './path-grants.js';
import type { CustodyPort, DialogPort, DocumentPort, OpenExternal, SettingsStore } from './ports.js';
import { loadStationIdentity } from './station.js';
import { listStationDrives } from './station-drives.js';

const CUSTOMER_TYPES = new Set(['received', 'opened']);
/** Entries per `engine.browse` / `engine.search` answer when the renderer does not say. */
const DEFAULT_PAGE = 500;

/** One IPC request as any transport delivers it. */
export interface IpcMessage {
  channel: string;
  /** URL of the frame that sent the request (Electron's senderFrame.url, or the harness page). */
  senderUrl: string;
  payload: unknown;
}

/** Everything the handlers use. */
export interface HandlerDeps {
  shell: 'electron' | 'harness';
  version: string;
  platform: string;
  isTrustedSender: (url: string) => boolean;
  engine: EngineHost;
  emit: <E extends EventChannel>(channel: E, payload: EventOf<E>) => void;
  settings: SettingsStore;
  dialogs: DialogPort;
  openExternal: OpenExternal;
  listDrives: (opts: { includeNonRemovable: boolean }) => Promise<AttachedDrive[]>;
  custody: CustodyPort;
  documents: DocumentPort;
  writeFile: (path: string, data: Uint8Array | string) => Promise<void>;
  stationKeyFile: string;
  /** base64 Ed25519 provider root public keys pinned in this build (station certificates chain to one). */
  pinnedRoots: readonly string[];
  /** The app's data folder (the custody service CA from an enrolment file is written there). */
  dataDir: string;
  /** The provider's escrow X25519 public key (base64), or null when none is configured. */
  escrowPublicKey: string | null;
  /** Optional logger for errors (codes only, never payloads). */
  log?: (line: string) => void;
  /** Judges a drive's origin at a trusted time (drive-trust.ts); without it, inspect gives no verdict. */
  driveTrust?: Pick<DriveTrust, 'judge'>;
}

type Impl = { [C in InvokeChannel]: (req: RequestOf<C>) => Promise<ResponseOf<C>> };

/** The handlers: `handle` answers one message; `grants` is exposed for tests. */
export interface Handlers {
  handle(message: IpcMessage): Promise<IpcResult<unknown>>;
  readonly grants: PathGrants;
}

const isChannel = (c: string): c is InvokeChannel => Object.prototype.hasOwnProperty.call(invokeChannels, c);

/** Builds the handlers over `deps`. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const grants = new PathGrants();
  let drives: AttachedDrive[] = [];
  const lang = async (): Promise<Language> => (await deps.settings.get()).language;

  const findDrive = (id: string): AttachedDrive => {
    const d = drives.find((x) => x.id === id);
    if (!d) throw new ScelleError('E_TARGET_NOT_FOUND', 'this drive is no longer attached; list the drives again', {});
    return d;
  };


  const validateTracking = async (trackingNumber: string, carrier?: string) => {
    const l = await lang();
    const known = carrier as CarrierId | undefined;
    try {
      const r = validateTrackingNumber(trackingNumber, { lang: l, ...(known ? { carrier: known } : {}) });
      return { normalized: r.match.normalized, valid: true, carriers: r.candidates.map((c) => ({ id: c.carrier, name: c.carrierName })), carrier: { id: r.match.carrier, name: r.match.carrierName } };
    } catch (e) {
      if (!isScelleError(e, 'E_CARRIER_INVALID')) throw e;
      const candidates = detectCarriers(trackingNumber, { lang: l });
      return { normalized: trackingNumber.toUpperCase().replace(/[^A-Z0-9]/g, ''), valid: false, carriers: candidates.map((c) => ({ id: c.carrier, name: c.carrierName })), carrier: null, reason: String(e.details['reason'] ?? '') };
    }
  };

  const recordSealed = async (r: { driveId: string; manifestSha256: string; files: number; bytes: number; parts: number; customerPublicKey: string }) => {
    const station = await loadStationIdentity(deps.stationKeyFile);
    station.secretKey.fill(0);
    const certificateSha256 = stationCertificateSha256(station.certificate);
    await deps.custody.record({ driveId: r.driveId, type: 'sealed', data: { manifestSha256: r.manifestSha256, files: r.files, bytes: r.bytes, parts: r.parts, customerPublicKey: r.customerPublicKey, stationCertificateSha256: certificateSha256 } });
  };

  /** Records a customer-lineage event, signed in the engine with the unlocked session's key. */
  const recordCustomerEvent = async (sessionId: string, driveId: string, type: 'received' | 'opened' | 'erased', data: Record<string, unknown>) => {
    const author = await deps.engine.call({ op: 'customerAuthor', args: { sessionId } });
    if (author.driveId !== driveId) throw new ScelleError('E_USAGE', 'this event cannot be recorded for the unlocked drive', {});
    return deps.custody.record({
      driveId, type, data,
      customer: { authorId: author.authorId, publicKey: author.publicKey, anchor: author.manifestSha256, sign: (event) => deps.engine.call({ op: 'customerSign', args: { sessionId, event } }) },
    });
  };

  const journalOf = async () => {
    if (!deps.custody.journal) throw new ScelleError('E_CUSTODY_JOURNAL', 'this station has no custody journal', {});
    return deps.custody.journal();
  };

  const timelineFor = async (driveId: string) => {
    const [t] = (await deps.custody.lookup('drive', driveId)).filter((x) => x.driveId === driveId);
    if (!t) throw new ScelleError('E_CUSTODY_CHAIN', 'no custody events are known for this drive', { driveId });
    return t;
  };

  const impl: Impl = {
    'app.info': async () => {
      let stationPublicKey: string | null = null;
      try {
        const station = await loadStationIdentity(deps.stationKeyFile);
        station.secretKey.fill(0);
        stationPublicKey = Buffer.from(station.publicKey).toString('base64');
      } catch {
        stationPublicKey = null;
      }
      return { version: deps.version, platform: deps.platform, shell: deps.shell, escrowAvailable: deps.escrowPublicKey !== null, stationPublicKey };
    },
    'settings.get': () => deps.settings.get(),
    'settings.set': async (req) => {
      if (req.custodyUrl != null && !isAcceptableCustodyUrl(req.custodyUrl)) throw new ScelleError('E_USAGE', 'the custody service address must start with https://', { field: 'custodyUrl' });
      if (req.custodyCaPath != null) grants.require(req.custodyCaPath);
      const patch: Parameters<SettingsStore['set']>[0] = {};
      if (req.language !== undefined) patch.language = req.language;
      if (req.custodyUrl !== undefined) patch.custodyUrl = req.custodyUrl === '' ? null : req.custodyUrl;
      if (req.custodyCaPath !== undefined) patch.custodyCaPath = req.custodyCaPath;
      return deps.settings.set(patch);
    },
    'station.enrol': async (req) => {
      const r = await importEnrolment(grants.require(req.bundlePath), { settings: deps.settings, stationKeyFile: deps.stationKeyFile, pinnedRoots: deps.pinnedRoots, dataDir: deps.dataDir });
      // Events recorded before enrolment wait in the outbox: push them now (best effort).
      await deps.custody.sync?.().catch((e: unknown) => deps.log?.(`custody: sync after enrolment failed (${isScelleError(e) ? e.code : 'error'})`));
      return r;
    },
    'drives.list': async (req) => {
      const found = await deps.listDrives({ includeNonRemovable: req.includeNonRemovable === true });
      drives = found;
      const out = [];
      for (const d of found) {
        grants.grant(d.mountpoint);
        out.push({
          id: d.id, label: d.label, model: d.model, mountpoint: d.mountpoint, sizeBytes: d.sizeBytes, freeBytes: d.freeBytes,
          fileSystem: d.fileSystem, removable: d.removable, bus: d.bus, sealedFolders: await findSealedFolders(d.mountpoint),
        });
      }
      deps.emit('drives.changed', { count: out.length });
      return { drives: out };
    },
    'drives.check': async (req) => checkDriveForSeal(findDrive(req.driveId), { bytesNeeded: req.bytesNeeded, ...(req.files !== undefined ? { files: req.files } : {}) }),
    'drives.eraseSealed': async (req) => {
      const driveDir = grants.require(req.driveDir);
      // The erase runs in the engine, off the main process; with a session, the engine closes
      // its index first (its key stays to sign the record).
      const report = await deps.engine.call({ op: 'erase', args: { driveDir, ...(req.sessionId ? { sessionId: req.sessionId } : {}) } });
      if (!req.sessionId) return { erased: true as const, verification: report.verification.result, eventId: null, synced: false };
      // The customer, whose key only the unlocked session holds, signs the sanitization record.
      const data = sanitizationData(report, { mediaType: 'other', mediaDescription: `scelle/1 drive folder SCELLE-${report.driveId} (file-level erase)`, performedBy: 'customer', tool: { name: 'scelle', version: deps.version } });
      const recorded = await recordCustomerEvent(req.sessionId, report.driveId, 'erased', data);
      return { erased: true as const, verification: report.verification.result, eventId: recorded.eventId, synced: recorded.synced };
    },
    'dialog.chooseSources': async (req) => {
      const paths = await deps.dialogs.chooseSources(req.kind);
      paths.forEach((p) => grants.grant(p));
      return { paths };
    },
    'dialog.chooseFolder': async (req) => {
      const path = await deps.dialogs.chooseFolder(req.purpose);
      if (path) grants.grant(path);
      return { path };
    },
    'sources.count': async (req) => deps.engine.call({ op: 'count', jobId: req.jobId, args: { paths: req.paths.map((p) => grants.require(p)) } }),
    'engine.seal': async (req) => {
      const drive = findDrive(req.driveId);
      if (drive.readOnly) throw new ScelleError('E_TARGET_READ_ONLY', 'the drive is read-only', {});
      const x25519 = [...req.recipients.customerKeys];
      if (req.recipients.escrow) {
        if (!deps.escrowPublicKey) throw new ScelleError('E_KEY_NO_RECIPIENT', 'no escrow key is configured on this station', {});
        x25519.push({ label: 'escrow', publicKey: deps.escrowPublicKey });
      }
      if (!req.recipients.unlockCode && x25519.length === 0) throw new ScelleError('E_KEY_NO_RECIPIENT', 'choose at least one way to open the drive', {});
      const check = checkDriveForSeal(drive, { bytesNeeded: 0 });
      const r = await deps.engine.call({
        op: 'seal', jobId: req.jobId,
        args: { sources: req.sources.map((p) => grants.require(p)), target: drive.mountpoint, unlockCode: req.recipients.unlockCode, x25519, partPlaintextSize: check.partPlaintextSize, stationKeyFile: deps.stationKeyFile },
      });
      grants.grant(r.driveDir);
      await recordSealed(r).catch((e: unknown) => deps.log?.(`custody: the sealed event was not recorded (${isScelleError(e) ? e.code : 'error'})`));
      const { customerPublicKey: _pk, ...answer } = r;
      return answer;
    },
    'engine.cancel': async (req) => ({ cancelled: await deps.engine.cancel(req.jobId) }),
    'engine.inspect': async (req) => {
      const info = await deps.engine.call({ op: 'inspect', args: { driveDir: grants.require(req.driveDir) } });
      if (!deps.driveTrust) return info;
      const j = await deps.driveTrust.judge(info);
      return { ...info, trust: { verdict: j.trust, reason: j.reason, judgedAt: j.judgedAt, timeSource: j.timeSource } };
    },
    'engine.verify': async (req) => deps.engine.call({
      op: 'verify', jobId: req.jobId,
      args: { driveDir: grants.require(req.driveDir), ...(req.sessionId ? { sessionId: req.sessionId } : {}) },
    }),
    'engine.checkUnlockCode': async (req) => {
      const bare = req.code.replace(/[\s\-‐-―−]/g, '');
      if (bare.length === 0) return { status: 'incomplete' as const };
      try {
        canonicalizeUnlockCode(req.code);
        return { status: 'ok' as const };
      } catch (e) {
        if (isScelleError(e, 'E_KEY_UNLOCK_CODE_TYPO')) {
          const g = e.details['suspectGroup'];
          return { status: 'typo' as const, ...(typeof g === 'number' ? { suspectGroup: g } : {}) };
        }
        if (isScelleError(e, 'E_KEY_UNLOCK_CODE_FORMAT')) {
          const len = e.details['length'];
          return { status: typeof len === 'number' && len < 28 ? ('incomplete' as const) : ('format' as const) };
        }
        throw e;
      }
    },
    'engine.unlock': async (req) => {
      const code = canonicalizeUnlockCode(req.code);
      return deps.engine.call({ op: 'unlock', args: { driveDir: grants.require(req.driveDir), code } });
    },
    'engine.lock': async (req) => deps.engine.call({ op: 'lock', args: { sessionId: req.sessionId } }),
    'engine.browse': async (req) => deps.engine.call({ op: 'browse', args: { sessionId: req.sessionId, folder: req.folder, start: req.start ?? 0, limit: req.limit ?? DEFAULT_PAGE } }),
    'engine.search': async (req) => deps.engine.call({ op: 'search', args: { sessionId: req.sessionId, query: req.query, limit: req.limit ?? DEFAULT_PAGE } }),
    'engine.open': async (req) => deps.engine.call({
      op: 'open', jobId: req.jobId,
      args: { sessionId: req.sessionId, dest: grants.require(req.dest), ...(req.paths ? { paths: req.paths } : {}), ...(req.overwrite ? { overwrite: req.overwrite } : {}) },
    }),
    'carriers.validate': async (req) => {
      const r = await validateTracking(req.trackingNumber, req.carrier);
      return { normalized: r.normalized, valid: r.valid, carriers: r.carriers, carrier: r.carrier };
    },
    'custody.lookup': async (req) => ({ timelines: await deps.custody.lookup(req.kind, req.value) }),
    'custody.record': async (req) => {
      if (!req.sessionId) {
        if (CUSTOMER_TYPES.has(req.type)) throw new ScelleError('E_USAGE', 'a customer event needs the unlocked drive', {});
        return deps.custody.record({ driveId: req.driveId, type: req.type, data: req.data });
      }
      if (req.type !== 'received' && req.type !== 'opened') throw new ScelleError('E_USAGE', 'this event cannot be recorded for the unlocked drive', {});
      return recordCustomerEvent(req.sessionId, req.driveId, req.type, req.data);
    },
    'custody.stationDrives': async (req) => listStationDrives({
      journal: journalOf,
      lookup: (kind, value) => deps.custody.lookup(kind, value),
      attachedFolders: async () => {
        const folders = new Map<string, string>();
        for (const d of drives) for (const f of await findSealedFolders(d.mountpoint)) { grants.grant(f.driveDir); folders.set(f.driveId, f.driveDir); }
        return folders;
      },
    }, req.query ?? ''),
    'custody.sync': async () => {
      const journal = await journalOf();
      const before = journal.pending().length;
      await deps.custody.sync?.();
      const after = journal.pending().length;
      return { pushed: Math.max(0, before - after), pending: after };
    },
    'slip.savePdf': async (req) => {
      const v = await validateTracking(req.trackingNumber, req.carrier);
      if (!v.valid || !v.carrier) throw new ScelleError('E_CARRIER_INVALID', 'the tracking number is not valid', {});
      const bytes = await deps.documents.packingSlip({ driveId: req.driveId, carrierName: carrierName(v.carrier.id as CarrierId, req.language), trackingNumber: v.normalized, language: req.language });
      const path = await deps.dialogs.saveFile(`bordereau-${req.driveId}.pdf`, 'pdf');
      if (path) await deps.writeFile(path, bytes);
      return { path };
    },
    'report.export': async (req) => {
      const t = await timelineFor(req.driveId);
      const path = await deps.dialogs.saveFile(`rapport-${req.driveId}.${req.format}`, req.format);
      if (path) await deps.writeFile(path, req.format === 'pdf' ? await deps.documents.timelinePdf(t, req.language) : deps.documents.timelineCsv(t));
      return { path };
    },
    'shell.openCarrierLink': async (req) => {
      const v = await validateTracking(req.trackingNumber, req.carrier);
      if (!v.valid || !v.carrier) throw new ScelleError('E_CARRIER_INVALID', 'the tracking number is not valid', {});
      const url = trackingUrl(v.carrier.id as CarrierId, v.normalized, await lang());
      if (!url || !url.startsWith('https://')) return { opened: false };
      await deps.openExternal(url);
      return { opened: true };
    },
  };

  const handle = async (message: IpcMessage): Promise<IpcResult<unknown>> => {
    if (!isChannel(message.channel)) return ipcFail('E_IPC_INVALID', 'unknown channel', {});
    if (!deps.isTrustedSender(message.senderUrl)) {
      deps.log?.(`ipc: refused ${message.channel} from an untrusted frame`);
      return ipcFail('E_IPC_INVALID', 'this window may not call the app', {});
    }
    const spec = invokeChannels[message.channel];
    const parsed = spec.request.safeParse(message.payload ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return ipcFail('E_IPC_INVALID', 'the request does not match the contract', { channel: message.channel, field: first ? first.path.join('.') : '' });
    }
    try {
      const value = await (impl[message.channel] as (r: unknown) => Promise<unknown>)(parsed.data);
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        deps.log?.(`ipc: ${message.channel} produced an answer outside the contract`);
        return ipcFail('E_INTERNAL', 'the answer does not match the contract', { channel: message.channel });
      }
      return ipcOk(checked.data);
    } catch (e) {
      if (isScelleError(e)) {
        if (e.code === 'E_INTERNAL') deps.log?.(`ipc: ${message.channel} failed: ${e.message}`);
        return ipcFail(e.code, e.message, { ...e.details });
      }
      deps.log?.(`ipc: ${message.channel} failed unexpectedly: ${(e as Error)?.name ?? 'error'}`);
      return ipcFail('E_INTERNAL', 'an unexpected error occurred', {});
    }
  };

  return { handle, grants };
}

/** Checks an event payload against its schema before it is sent (used by emit implementations). */
export function checkEvent<E extends EventChannel>(channel: E, payload: unknown): EventOf<E> {
  return eventChannels[channel].parse(payload) as EventOf<E>;
}

/** The base name of a path, for messages that must not reveal a full path. */
export const safeName = (p: string): string => basename(p);
