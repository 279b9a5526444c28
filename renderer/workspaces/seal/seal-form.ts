/**
 * The Technician workspace's sealing form, as a zustand store with no React in it (tested in
 * plain Node): the sources chosen (no duplicates), the attached drives and the one picked (kept
 * only while it is still attached), the recipients (unlock code, escrow, a customer's public
 * key), whether the seal may start and the `engine.seal` recipients it sends. The count, the
 * drive check and the seal itself are jobs the component runs (jobs.ts).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DriveSummaryDto, RequestOf } from '../../../shared/ipc/index.js';

/**
 * A customer's own public key as the Client shows it and `scelle keygen customer` prints it
 * (Ed25519, 32 bytes in base64: 44 characters). Whether it is a valid point is checked on the
 * main side when sealing (E_KEY_INVALID).
 */
const CUSTOMER_KEY_RE = /^[A-Za-z0-9+/]{43}=$/;

/** The form's state and actions. */
export interface SealFormState {
  sources: string[];
  drives: DriveSummaryDto[];
  driveId: string | null;
  useCode: boolean;
  escrow: boolean;
  customerKey: string;
  /** Adds `paths` after those chosen, each once. */
  addSources(paths: readonly string[]): void;
  removeSource(path: string): void;
  /** Replaces the drive list; the picked drive stays picked only if it is still listed. */
  setDrives(drives: DriveSummaryDto[]): void;
  pickDrive(id: string): void;
  setUseCode(on: boolean): void;
  setEscrow(on: boolean): void;
  setCustomerKey(key: string): void;
}

/** The store type. */
export type SealFormStore = StoreApi<SealFormState>;

/** Creates an empty sealing form: no source, no drive, the unlock code as the one recipient. */
export function createSealForm(): SealFormStore {
  return createStore<SealFormState>((set) => ({
    sources: [],
    drives: [],
    driveId: null,
    useCode: true,
    escrow: false,
    customerKey: '',
    addSources: (paths) => set((s) => ({ sources: [...new Set([...s.sources, ...paths])] })),
    removeSource: (path) => set((s) => ({ sources: s.sources.filter((p) => p !== path) })),
    setDrives: (drives) => set((s) => ({ drives, driveId: s.driveId && drives.some((d) => d.id === s.driveId) ? s.driveId : null })),
    pickDrive: (driveId) => set((s) => (s.drives.some((d) => d.id === driveId) ? { driveId } : {})),
    setUseCode: (useCode) => set({ useCode }),
    setEscrow: (escrow) => set({ escrow }),
    setCustomerKey: (customerKey) => set({ customerKey }),
  }));
}

/** True when the customer key field is empty or holds a well-formed public key. */
export function customerKeyOk(form: Pick<SealFormState, 'customerKey'>): boolean {
  const k = form.customerKey.trim();
  return k === '' || CUSTOMER_KEY_RE.test(k);
}

/**
 * True when a seal may start: sources counted, the picked drive passed its check, at least one
 * way to open the drive, a well-formed customer key if any, and no seal already running.
 */
export function sealReady(form: Pick<SealFormState, 'sources' | 'useCode' | 'escrow' | 'customerKey'>, jobs: { counted: boolean; driveOk: boolean; sealing: boolean }): boolean {
  const someRecipient = form.useCode || form.escrow || form.customerKey.trim() !== '';
  return form.sources.length > 0 && jobs.counted && jobs.driveOk && someRecipient && customerKeyOk(form) && !jobs.sealing;
}

/**
 * The `engine.seal` recipients of the form: a customer key is sent as `customerPublicKey`, so
 * the drive gets its `customer-key` keyslot and the `sealed` event names it (customer-attested).
 */
export function recipientsOf(form: Pick<SealFormState, 'useCode' | 'escrow' | 'customerKey'>): RequestOf<'engine.seal'>['recipients'] {
  const key = form.customerKey.trim();
  return { unlockCode: form.useCode, escrow: form.escrow, customerKeys: [], ...(key ? { customerPublicKey: key } : {}) };
}
