/** IPC handlers of the engine's jobs and unlocked sessions: `sources.count`, `engine.*`. */
import { checkDriveForSeal, findSealedFolders } from '../../shared/drives/index.js';
import { ScelleError, isScelleError } from '../../shared/errors/scelle-error.js';
import { canonicalizeUnlockCode } from '../../shared/format/unlock-code.js';
import { CUSTOMER_KEYSLOT_LABEL, customerRecipientKey } from '../../shared/custody/customer-identity.js';
import { decodeBase64, encodeBase64 } from '../../shared/format/base64.js';
import { planResume } from '../resume-sources.js';
import { memberBytesOf, setPartSize, SetSealPrompts } from '../set-seal.js';
import { interruptedOn, setContinuationDir, stoppedSetsOf, type ChannelHandlers, type HandlerContext } from './context.js';
import { recordSealed } from './custody.js';

/** Entries per `engine.browse` / `engine.search` answer when the renderer does not say. */
const DEFAULT_PAGE = 500;

type EngineChannels =
  | 'sources.count'
  | 'engine.seal'
  | 'engine.nextDrive'
  | 'engine.setMembers'
  | 'engine.availability'
  | 'engine.cancel'
  | 'engine.inspect'
  | 'engine.verify'
  | 'engine.checkUnlockCode'
  | 'engine.unlock'
  | 'engine.lock'
  | 'engine.browse'
  | 'engine.search'
  | 'engine.open';

/**
 * The X25519 recipient (base64) of a customer's own Ed25519 public key (base64).
 * @throws ScelleError E_KEY_INVALID when it is not a valid Ed25519 public key.
 */
function customerRecipientOf(publicKey: string): string {
  try {
    return encodeBase64(customerRecipientKey(decodeBase64(publicKey, 32) ?? new Uint8Array(0)));
  } catch {
    throw new ScelleError('E_KEY_INVALID', 'the customer key is not a valid customer public key', { reason: 'customer-public-key' });
  }
}

/**
 * The engine handlers: the work runs in the engine (never on the main process). `engine.seal`
 * throws E_TARGET_READ_ONLY for a read-only drive, E_KEY_NO_RECIPIENT without a way to open it
 * and E_KEY_INVALID for a customer public key that is not one; `engine.unlock` E_KEY_FILE for a
 * customer key file others may read. A set seal asks for its next drives through `seal.set`
 * events answered by `engine.nextDrive` (set-seal.ts).
 */
export function engineHandlers(ctx: HandlerContext): ChannelHandlers<EngineChannels> {
  const { deps, grants } = ctx;
  const prompts = new SetSealPrompts({ findDrive: (id) => ctx.findDrive(id), drives: () => ctx.drives, emit: (payload) => deps.emit('seal.set', payload) });
  return {
    'sources.count': async (req) => deps.engine.call({ op: 'count', jobId: req.jobId, args: { paths: req.paths.map((p) => grants.require(p)) } }),
    'engine.seal': async (req) => {
      const drive = ctx.findDrive(req.driveId);
      if (drive.readOnly) throw new ScelleError('E_TARGET_READ_ONLY', 'the drive is read-only', {});
      const x25519 = [...req.recipients.customerKeys];
      const customerKey = req.recipients.customerPublicKey ?? null;
      if (customerKey !== null) x25519.push({ label: CUSTOMER_KEYSLOT_LABEL, publicKey: customerRecipientOf(customerKey) });
      if (req.recipients.escrow) {
        if (!deps.escrowPublicKey) throw new ScelleError('E_KEY_NO_RECIPIENT', 'no escrow key is configured on this station', {});
        x25519.push({ label: 'escrow', publicKey: deps.escrowPublicKey });
      }
      if (!req.recipients.unlockCode && x25519.length === 0) throw new ScelleError('E_KEY_NO_RECIPIENT', 'choose at least one way to open the drive', {});
      const check = checkDriveForSeal(drive, { bytesNeeded: 0 });
      // A resume seals the sources its state (or the station's record of a stopped set) recorded, found again: never the renderer's choice.
      const resumed = req.resume
        ? await planResume(
            {
              interruptedOn: (v) => interruptedOn(ctx, v),
              stoppedSets: () => stoppedSetsOf(ctx),
              sealedOn: async (d) => (await findSealedFolders(d.mountpoint)).map((f) => f.driveId),
              drives: ctx.drives,
            },
            drive,
            req.continueSet,
          )
        : null;
      const sources = resumed ? resumed.sources : req.sources!.map((p) => grants.require(p));
      // A set: the other drives chosen (for a set resumed, first those holding its unfinished members), each member planned on its drive's free space as listed; parts small enough for the smallest.
      const asSet = resumed ? resumed.set !== null : req.set !== undefined;
      const more = asSet ? [...(resumed?.set?.more ?? [])] : [];
      for (const d of (req.set?.more ?? []).map((id) => ctx.findDrive(id))) if (asSet && d.id !== drive.id && !more.includes(d)) more.push(d);
      if (more.some((d) => d.readOnly)) throw new ScelleError('E_TARGET_READ_ONLY', 'one of the drives chosen is read-only', {});
      const memberBytes = asSet ? memberBytesOf([drive, ...more]) : undefined;
      const fsPart = Math.min(check.partPlaintextSize, ...more.map((d) => checkDriveForSeal(d, { bytesNeeded: 0 }).partPlaintextSize));
      const partPlaintextSize = asSet && memberBytes !== undefined ? setPartSize(memberBytes, fsPart) : fsPart;
      // A set resumed asks for its next drives unless told otherwise.
      const waitForDrives = req.set?.waitForDrives ?? true;
      // Drives already holding a member of a set continued cannot take another.
      const given = [drive, ...more, ...(resumed?.set?.holding ?? [])].map((d) => d.mountpoint);
      const hooks = asSet ? prompts.hooks(req.jobId, given) : {};
      let r;
      try {
        r = await deps.engine.call(
          {
            op: 'seal',
            jobId: req.jobId,
            args: {
              sources,
              target: drive.mountpoint,
              unlockCode: req.recipients.unlockCode,
              x25519,
              partPlaintextSize,
              stationKeyFile: deps.stationKeyFile,
              ...(req.resume ? { resume: true } : {}),
              // Every set records where it continues, should the technician stop at the question for the next drive.
              ...(asSet
                ? {
                    set: {
                      more: more.map((d) => d.mountpoint),
                      waitForDrives,
                      capacities: [drive, ...more].map((d) => d.freeBytes),
                      continuationDir: setContinuationDir(ctx),
                    },
                  }
                : {}),
            },
          },
          hooks,
        );
      } finally {
        if (asSet) prompts.end(req.jobId);
      }
      const { customerPublicKey: _pk, stationCertificateSha256: _cert, set, ...answer } = r;
      // Each member is a drive with its own custody chain: its own `sealed` event (as the CLI records them).
      const drives = set
        ? set.members.map((m) => ({ ...r, driveId: m.driveId, driveDir: m.driveDir, manifestSha256: m.manifestSha256, customerPublicKey: m.customerPublicKey, parts: m.parts }))
        : [r];
      for (const d of drives) {
        grants.grant(d.driveDir);
        await recordSealed(ctx, d, customerKey).catch((e: unknown) => deps.log?.(`custody: the sealed event was not recorded (${isScelleError(e) ? e.code : 'error'})`));
      }
      const customerAttestation = customerKey !== null ? ('customer-key' as const) : ('data-key' as const);
      if (!set) return { ...answer, customerAttestation };
      const volumeOf = (target: string) => ctx.drives.find((d) => d.mountpoint === target)?.id ?? null;
      return {
        ...answer,
        set: {
          id: set.id,
          total: set.driveIds.length,
          members: set.members.map((m) => ({
            position: m.position,
            driveId: m.driveId,
            driveDir: m.driveDir,
            volumeId: volumeOf(m.target),
            parts: m.parts,
            indexComplete: m.indexComplete,
          })),
        },
        customerAttestation,
      };
    },
    'engine.nextDrive': async (req) => {
      prompts.answer(req.jobId, req.volumeId);
      return { accepted: true as const };
    },
    'engine.setMembers': async (req) => {
      const driveDir = grants.require(req.driveDir);
      // The candidates: every sealed folder on the drives last listed (their mount points are granted).
      const candidates: string[] = [];
      for (const d of ctx.drives) for (const f of await findSealedFolders(d.mountpoint)) if (grants.allows(f.driveDir)) candidates.push(f.driveDir);
      const view = await deps.engine.call({ op: 'setMembers', args: { driveDir, candidates } });
      if (!view.set) return { set: null, members: [] };
      return { set: { id: view.set.id, position: view.set.position, members: view.set.members }, members: view.members };
    },
    'engine.availability': async (req) => ({ set: await deps.engine.call({ op: 'availability', args: { sessionId: req.sessionId } }) }),
    'engine.cancel': async (req) => ({ cancelled: await deps.engine.cancel(req.jobId) }),
    'engine.inspect': async (req) => {
      const info = await deps.engine.call({ op: 'inspect', args: { driveDir: grants.require(req.driveDir) } });
      if (!deps.driveTrust) return info;
      const j = await deps.driveTrust.judge(info);
      return { ...info, trust: { verdict: j.trust, reason: j.reason, judgedAt: j.judgedAt, timeSource: j.timeSource } };
    },
    'engine.verify': async (req) =>
      deps.engine.call({
        op: 'verify',
        jobId: req.jobId,
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
      const driveDir = grants.require(req.driveDir);
      const keyFile = req.keyFile !== undefined ? ctx.keyFiles.require(req.keyFile) : undefined;
      const code = req.code !== undefined ? canonicalizeUnlockCode(req.code) : undefined;
      const members = (req.members ?? []).map((p) => grants.require(p));
      return deps.engine.call({
        op: 'unlock',
        args: { driveDir, ...(code !== undefined ? { code } : {}), ...(keyFile !== undefined ? { keyFile } : {}), ...(members.length > 0 ? { members } : {}) },
      });
    },
    'engine.lock': async (req) => deps.engine.call({ op: 'lock', args: { sessionId: req.sessionId } }),
    'engine.browse': async (req) =>
      deps.engine.call({ op: 'browse', args: { sessionId: req.sessionId, folder: req.folder, start: req.start ?? 0, limit: req.limit ?? DEFAULT_PAGE } }),
    'engine.search': async (req) => deps.engine.call({ op: 'search', args: { sessionId: req.sessionId, query: req.query, limit: req.limit ?? DEFAULT_PAGE } }),
    'engine.open': async (req) =>
      deps.engine.call({
        op: 'open',
        jobId: req.jobId,
        args: { sessionId: req.sessionId, dest: grants.require(req.dest), ...(req.paths ? { paths: req.paths } : {}), ...(req.overwrite ? { overwrite: req.overwrite } : {}) },
      }),
  };
}
