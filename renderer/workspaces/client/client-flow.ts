/**
 * The Client workspace's workflow, as a zustand store with no React in it (tested in plain
 * Node): the drive picked and inspected, the unlocked session (locked again when another drive
 * is picked, when the drive is erased or when the workspace closes), the receipt confirmed as
 * the customer's `received` and `opened` custody events, and the erase.
 *
 * The unlock code is never stored here: `unlock` takes it as an argument, and the component
 * that reads it clears it. The customer's own key (docs/CUSTODY.md §2) is held as its file's
 * path and public key only: the main side's dialogs create or choose the file and the engine
 * reads it, so its secret never reaches the renderer. With a key chosen, the drive can be
 * opened with it (`unlockWithKey`), and an unlock with the code names it too, so that the
 * receipts are signed with it when the drive was sealed for it (`receipts` says which key will
 * sign them). The media check and the restore are jobs (jobs.ts) the component
 * runs; their results are passed to `confirmReceipt`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DriveInfoDto, RequestOf, ResponseOf } from '../../../shared/ipc/index.js';
import { asUiError, type UiError } from '../../bridge.js';

/** What the flow needs from the main side (window.scelle, unwrapped: each call throws a UiError). */
export interface ClientFlowDeps {
  inspect(req: RequestOf<'engine.inspect'>): Promise<DriveInfoDto>;
  unlock(req: RequestOf<'engine.unlock'>): Promise<ResponseOf<'engine.unlock'>>;
  createKey(req: RequestOf<'customer.createKey'>): Promise<ResponseOf<'customer.createKey'>>;
  chooseKey(req: RequestOf<'customer.chooseKey'>): Promise<ResponseOf<'customer.chooseKey'>>;
  currentKey(req: RequestOf<'customer.currentKey'>): Promise<ResponseOf<'customer.currentKey'>>;
  forgetKey(req: RequestOf<'customer.forgetKey'>): Promise<ResponseOf<'customer.forgetKey'>>;
  lock(req: RequestOf<'engine.lock'>): Promise<unknown>;
  record(req: RequestOf<'custody.record'>): Promise<ResponseOf<'custody.record'>>;
  eraseSealed(req: RequestOf<'drives.eraseSealed'>): Promise<ResponseOf<'drives.eraseSealed'>>;
}

/** What the customer restored, as the `opened` event records it. */
export interface RestoreSummary {
  files: number;
  bytes: number;
  /** The customer chose less than everything. */
  partial: boolean;
}

/** The customer key chosen or created: its file (a path the main side handed out) and public key. */
export interface ChosenCustomerKey {
  keyFile: string;
  /** base64 Ed25519 public key, what the customer gives the provider. */
  publicKey: string;
  /** Where its public part was written when the key was created here, else null. */
  publicKeyFile: string | null;
}

/** Which key signs the customer's events of the unlocked drive (engine.unlock's `receipts`). */
export type ReceiptSigner = ResponseOf<'engine.unlock'>['receipts'];

/** The flow's state and actions. */
export interface ClientFlowState {
  driveDir: string | null;
  /** The inspected drive (manifest, origin), or null before the inspection answers. */
  info: DriveInfoDto | null;
  sessionId: string | null;
  unlocking: boolean;
  /** The customer's own key, when one was created or chosen. */
  key: ChosenCustomerKey | null;
  /** How the session was opened, or null while locked. */
  openedWith: ResponseOf<'engine.unlock'>['openedWith'] | null;
  /** Which key will sign the receipts of the unlocked drive, or null while locked. */
  receipts: ReceiptSigner | null;
  /** The receipt was recorded: `synced` when both events reached the custody service; `attestation` says which key signed them. */
  confirmed: { synced: boolean; attestation: 'customer-key' | 'data-key' } | null;
  /** The drive was erased: `checkFailed` when the engine's read-back found something left; `recorded` when its `erased` event was signed and journaled (not on a drive sealed for a customer key not given). */
  erased: { checkFailed: boolean; recorded: boolean } | null;
  /** The last failure of an action, or null. */
  error: UiError | null;
  /** What the last unlock tried: the code or the customer key (so that a refusal is explained for the right one). */
  lastUnlock: 'code' | 'key' | null;
  /** The last failure to create or choose the customer key, or null. */
  keyError: UiError | null;
  /** Locks the open session (if any) and inspects `dir`; answers the drive's info, or null on failure (then `error` says why). */
  pick(dir: string): Promise<DriveInfoDto | null>;
  /**
   * Unlocks the picked drive with `code` (naming the chosen key, which then signs the receipts when
   * the drive was sealed for it), and `members`, the other members of its set attached, unlocked
   * with it; answers the session id, or null on failure (a wrong code sets `error`).
   */
  unlock(code: string, members?: readonly string[]): Promise<string | null>;
  /** Unlocks the picked drive (and `members`) with the chosen customer key (locking any open session first); answers the session id, or null (no key, or a failure in `error`). */
  unlockWithKey(members?: readonly string[]): Promise<string | null>;
  /** Creates a customer key where the customer chooses (a save dialog); answers it, or null when cancelled or failed (`keyError`). */
  createKey(): Promise<ChosenCustomerKey | null>;
  /** Chooses an existing customer key file (checked on the main side); answers it, or null when cancelled or failed (`keyError`). */
  chooseKey(): Promise<ChosenCustomerKey | null>;
  /** Takes the key file remembered from an earlier run (checked again on the main side); answers it, or null when none or failed (`keyError`). */
  restoreKey(): Promise<ChosenCustomerKey | null>;
  /** Stops using and remembering the customer key (the file is left alone). Not while a drive is unlocked. */
  forgetKey(): Promise<void>;
  /** Records `received` (media check) then `opened` (restore) signed with the session's customer signer. Needs the unlocked drive; refused (E_KEY_CUSTOMER_NEEDED in `error`) when `receipts` is `needs-customer-key`. */
  confirmReceipt(media: { ok: boolean; problems: number }, restored: RestoreSummary): Promise<void>;
  /** Erases the picked drive, while unlocked so the customer's key signs the record, then locks the session. */
  erase(): Promise<void>;
  /** Locks the open session, if any, and forgets it (the workspace closes). */
  forget(): void;
  /** Clears `error`. */
  clearError(): void;
}

/** The store type. */
export type ClientFlowStore = StoreApi<ClientFlowState>;

/** Creates the Client workflow over `deps`, with the customer key chosen before (if any); nothing is called until an action runs. */
export function createClientFlow(deps: ClientFlowDeps, initialKey: ChosenCustomerKey | null = null): ClientFlowStore {
  return createStore<ClientFlowState>((set, get) => {
    const lockQuietly = (sessionId: string | null) => {
      if (sessionId) void deps.lock({ sessionId }).catch(() => undefined);
    };
    /** Unlocks the picked drive (and the other members of its set given) with `secret`, replacing any open session. */
    const unlockWith = async (secret: { code?: string; keyFile?: string }, members: readonly string[]): Promise<string | null> => {
      const { driveDir } = get();
      if (!driveDir || get().unlocking) return null;
      lockQuietly(get().sessionId);
      set({ unlocking: true, sessionId: null, openedWith: null, receipts: null, confirmed: null, error: null, lastUnlock: secret.code !== undefined ? 'code' : 'key' });
      try {
        const others = members.filter((m) => m !== driveDir);
        const r = await deps.unlock({ driveDir, ...secret, ...(others.length > 0 ? { members: others } : {}) });
        if (get().driveDir !== driveDir) {
          lockQuietly(r.sessionId);
          return null;
        }
        set({ sessionId: r.sessionId, openedWith: r.openedWith, receipts: r.receipts });
        return r.sessionId;
      } catch (e) {
        set({ error: asUiError(e) });
        return null;
      } finally {
        set({ unlocking: false });
      }
    };
    /** Runs a key dialog; keeps its key unless cancelled. */
    const keyFrom = async (ask: () => Promise<{ keyFile: string | null; publicKey: string | null; publicKeyFile: string | null }>): Promise<ChosenCustomerKey | null> => {
      set({ keyError: null });
      try {
        const r = await ask();
        if (!r.keyFile || !r.publicKey) return null;
        const key = { keyFile: r.keyFile, publicKey: r.publicKey, publicKeyFile: r.publicKeyFile };
        set({ key });
        return key;
      } catch (e) {
        set({ keyError: asUiError(e) });
        return null;
      }
    };
    return {
      driveDir: null,
      info: null,
      sessionId: null,
      unlocking: false,
      key: initialKey,
      openedWith: null,
      receipts: null,
      confirmed: null,
      erased: null,
      error: null,
      lastUnlock: null,
      keyError: null,
      pick: async (dir) => {
        lockQuietly(get().sessionId);
        set({ driveDir: dir, info: null, sessionId: null, openedWith: null, receipts: null, confirmed: null, erased: null, error: null });
        try {
          const info = await deps.inspect({ driveDir: dir });
          if (get().driveDir !== dir) return null;
          set({ info });
          return info;
        } catch (e) {
          if (get().driveDir === dir) set({ error: asUiError(e) });
          return null;
        }
      },
      unlock: (code, members = []) => {
        const key = get().key;
        return unlockWith(key ? { code, keyFile: key.keyFile } : { code }, members);
      },
      unlockWithKey: async (members = []) => {
        const key = get().key;
        if (!key) return null;
        return unlockWith({ keyFile: key.keyFile }, members);
      },
      createKey: () => keyFrom(() => deps.createKey({})),
      chooseKey: () => keyFrom(async () => ({ publicKeyFile: null, ...(await deps.chooseKey({})) })),
      restoreKey: () => keyFrom(async () => ({ publicKeyFile: null, ...(await deps.currentKey({})) })),
      forgetKey: async () => {
        if (get().sessionId) return;
        set({ keyError: null });
        try {
          await deps.forgetKey({});
          set({ key: null });
        } catch (e) {
          set({ keyError: asUiError(e) });
        }
      },
      confirmReceipt: async (media, restored) => {
        const { info, sessionId, confirmed } = get();
        if (!info || !sessionId || confirmed) return;
        set({ error: null });
        try {
          const received = await deps.record({ driveId: info.driveId, type: 'received', sessionId, data: { level: 'media', ok: media.ok, problems: media.problems } });
          const opened = await deps.record({
            driveId: info.driveId,
            type: 'opened',
            sessionId,
            data: { ok: true, filesRestored: restored.files, bytesRestored: restored.bytes, partial: restored.partial },
          });
          const attestation = received.attestation === 'customer-key' && opened.attestation === 'customer-key' ? 'customer-key' : 'data-key';
          set({ confirmed: { synced: received.synced && opened.synced, attestation } });
        } catch (e) {
          set({ error: asUiError(e) });
        }
      },
      erase: async () => {
        const { driveDir, sessionId, erased } = get();
        if (!driveDir || erased) return;
        set({ error: null });
        try {
          const res = await deps.eraseSealed({ driveDir, ...(sessionId ? { sessionId } : {}) });
          set({ sessionId: null, openedWith: null, receipts: null, erased: { checkFailed: res.verification === 'fail', recorded: res.eventId !== null } });
          if (sessionId) await deps.lock({ sessionId });
        } catch (e) {
          set({ error: asUiError(e) });
        }
      },
      forget: () => {
        lockQuietly(get().sessionId);
        set({ sessionId: null, openedWith: null, receipts: null });
      },
      clearError: () => set({ error: null }),
    };
  });
}
