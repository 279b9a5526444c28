/**
 * TEST-ONLY wiring of the real IPC handlers for the e2e harness and the handler unit tests:
 * temporary folders posing as attached drives, scripted dialogs, the REAL engine
 * (shared/engine; there is no fake: when it cannot be loaded the harness fails and says so)
 * and the real custody client (pointed at the real service by the tests, see custody-service.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttachedDrive } from '../../shared/drives/index.js';
import { statfsFreeBytes } from '../../shared/drives/index.js';
import type { EventChannel } from '../../shared/ipc/index.js';
import { HttpCustodyClient } from '../../electron/custody-client.js';
import { documents } from '../../electron/documents.js';
import { InProcessEngineHost, WorkerEngineHost, type EngineHost } from '../../electron/engine/engine-host.js';
import { loadEngine, type EnginePort } from '../../electron/engine/engine-port.js';
import { createHandlers, type HandlerDeps, type Handlers } from '../../electron/handlers/index.js';
import { DriveTrust } from '../../electron/drive-trust.js';
import { JsonSettingsStore } from '../../electron/settings-store.js';
import { testSecretCipher } from '../support/test-secret-cipher.js';
import { loadOrCreateStation } from '../../electron/station.js';

/** Scripted answers of the dialogs: each call takes the next queued answer, else the default. */
export interface ScriptedDialogs {
  sources: string[][];
  folders: (string | null)[];
  saves: (string | null)[];
  /** Answers of the key file dialog (default: cancelled). */
  keyFiles: (string | null)[];
  defaultSources: string[];
  defaultFolder: string;
  saveDir: string;
}

/** The wired handlers and the folders they use. */
export interface HarnessWorld {
  root: string;
  /** Folder posing as a removable exFAT drive. */
  driveDir: string;
  /** Folder posing as a small FAT32 stick (1 MB free). */
  smallDriveDir: string;
  sourcesDir: string;
  restoreDir: string;
  dialogs: ScriptedDialogs;
  handlers: Handlers;
  /** Where engine calls run (close it to end the worker). */
  engineHost: EngineHost;
  /** The station key file (what the provider certifies at enrolment). */
  stationKeyFile: string;
  custody: HttpCustodyClient;
  /** Subscribers to events (the harness's SSE streams). */
  listeners: Set<(channel: EventChannel, payload: unknown) => void>;
  settings: JsonSettingsStore;
  written: Map<string, number>;
  /** URLs the handlers asked the shell to open (carrier links), in order. */
  openedUrls: string[];
  /**
   * Attaches one more drive (a folder under root/drives) listed after the two above with
   * `freeBytes` of free space as the listing shows it (sets use it to plan their members);
   * `detachDrive` removes it from the listing (its folder stays). Both show at the next drives.list.
   */
  attachDrive(label: string, freeBytes: number): Promise<AttachedDrive>;
  detachDrive(label: string): void;
}

/** Options of createHarnessWorld. */
export interface HarnessWorldOptions {
  custodyUrl?: string | null;
  origin?: string;
  /** base64 provider root public keys the app pins (default: none). */
  pinnedRoots?: readonly string[];
  /**
   * Where the engine runs: 'worker' (as in the app: a worker thread running the compiled
   * dist/electron/engine/engine-worker.js, so a seal never starves the harness's HTTP server and
   * progress events flow while it runs) or 'in-process' (default; handler unit tests).
   */
  engine?: 'worker' | 'in-process';
}

/** The compiled engine worker the app starts (built by `npm run build`). */
export const ENGINE_WORKER_JS = new URL('../../dist/electron/engine/engine-worker.js', import.meta.url);

/** Checks that the compiled engine worker exists. @throws Error saying to run `npm run build`. */
export function requireEngineWorker(): URL {
  if (!existsSync(ENGINE_WORKER_JS))
    throw new Error(
      `Scellé test harness: ${ENGINE_WORKER_JS.pathname} is missing; the harness runs the engine in a worker thread as the app does. Build it first with \`npm run build\`.`,
    );
  return ENGINE_WORKER_JS;
}

/**
 * Loads the real engine (shared/engine).
 * @throws Error with a clear message when it cannot be loaded: the harness never falls back.
 */
export async function loadRealEngine(): Promise<EnginePort> {
  try {
    return await loadEngine();
  } catch (e) {
    throw new Error(
      `Scellé test harness: the real engine (shared/engine) could not be loaded, and there is no fallback. Build it first with \`npm run build\` (the test command does) and check that shared/engine/index.ts compiles. Cause: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Builds a fresh world in a temporary folder. */
export async function createHarnessWorld(opts: HarnessWorldOptions = {}): Promise<HarnessWorld> {
  const root = await mkdtemp(join(tmpdir(), 'scelle-harness-'));
  const driveDir = join(root, 'drives', 'LIVRAISON');
  const smallDriveDir = join(root, 'drives', 'PETITE');
  const sourcesDir = join(root, 'sources', 'Dossier client 4521');
  const restoreDir = join(root, 'restore');
  for (const d of [driveDir, smallDriveDir, join(sourcesDir, 'factures'), restoreDir, join(root, 'saves')]) await mkdir(d, { recursive: true });
  await writeFile(join(sourcesDir, 'contrat.txt'), 'Contrat de service — exemplaire client.\n'.repeat(200));
  await writeFile(join(sourcesDir, 'factures', '2024-01.csv'), 'date,montant\n2024-01-31,125.00\n'.repeat(500));
  await writeFile(join(sourcesDir, 'factures', '2024-02.csv'), 'date,montant\n2024-02-29,130.00\n'.repeat(500));
  const listeners = new Set<(channel: EventChannel, payload: unknown) => void>();
  const engine = await loadRealEngine();
  const onProgress = (jobId: string, progress: unknown) => listeners.forEach((l) => l('job.progress', { jobId, progress }));
  const pinnedRoots = [...(opts.pinnedRoots ?? [])];
  const stationKeyFile = join(root, 'station.json');
  await loadOrCreateStation(stationKeyFile, 'station-test-01');
  const settings = new JsonSettingsStore(join(root, 'settings.json'), testSecretCipher(), { custodyUrl: opts.custodyUrl ?? null, stationId: 'station-test-01' });
  const custody = new HttpCustodyClient(settings, join(root, 'custody-journal'), stationKeyFile, { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200, requestTimeoutMs: 5_000 });
  const dialogs: ScriptedDialogs = { sources: [], folders: [], saves: [], keyFiles: [], defaultSources: [sourcesDir], defaultFolder: restoreDir, saveDir: join(root, 'saves') };
  const written = new Map<string, number>();
  const extraDrives: AttachedDrive[] = [];
  let attached = 0;
  const attachDrive = async (label: string, freeBytes: number): Promise<AttachedDrive> => {
    const mountpoint = join(root, 'drives', label);
    await mkdir(mountpoint, { recursive: true });
    const n = attached++;
    const d: AttachedDrive = {
      id: `/dev/sd${String.fromCharCode(97 + n)}9`,
      disk: `/dev/sd${String.fromCharCode(97 + n)}`,
      label,
      model: 'Portable SSD',
      mountpoint,
      sizeBytes: freeBytes,
      freeBytes,
      fileSystem: 'exfat',
      rawFileSystem: 'exfat',
      removable: true,
      bus: 'usb',
      readOnly: false,
      isSystem: false,
    };
    extraDrives.push(d);
    return d;
  };
  const detachDrive = (label: string) => {
    const i = extraDrives.findIndex((d) => d.label === label);
    if (i >= 0) extraDrives.splice(i, 1);
  };
  const fakeDrives = async (): Promise<AttachedDrive[]> => [
    {
      id: '/dev/sdx1',
      disk: '/dev/sdx',
      label: 'LIVRAISON',
      model: 'Expansion HDD',
      mountpoint: driveDir,
      sizeBytes: 2_000_398_934_016,
      freeBytes: await statfsFreeBytes(driveDir),
      fileSystem: 'exfat',
      rawFileSystem: 'exfat',
      removable: true,
      bus: 'usb',
      readOnly: false,
      isSystem: false,
    },
    {
      id: '/dev/sdy1',
      disk: '/dev/sdy',
      label: 'PETITE',
      model: 'Ultra Fit',
      mountpoint: smallDriveDir,
      sizeBytes: 1_000_000,
      freeBytes: 1_000_000,
      fileSystem: 'fat32',
      rawFileSystem: 'vfat',
      removable: true,
      bus: 'usb',
      readOnly: false,
      isSystem: false,
    },
    ...extraDrives,
  ];
  const engineHost: EngineHost =
    opts.engine === 'worker' ? new WorkerEngineHost(requireEngineWorker(), onProgress, { pinnedRoots }) : new InProcessEngineHost(async () => engine, onProgress, pinnedRoots);
  const openedUrls: string[] = [];
  const deps: HandlerDeps = {
    shell: 'harness',
    version: '0.1.0-test',
    platform: process.platform,
    isTrustedSender: (url) => opts.origin === undefined || url.startsWith(`${opts.origin}/`) || url === opts.origin,
    engine: engineHost,
    emit: (channel, payload) => listeners.forEach((l) => l(channel, payload)),
    settings,
    dialogs: {
      chooseSources: async () => dialogs.sources.shift() ?? dialogs.defaultSources,
      chooseFolder: async () => (dialogs.folders.length ? dialogs.folders.shift()! : dialogs.defaultFolder),
      saveFile: async (name) => (dialogs.saves.length ? dialogs.saves.shift()! : join(dialogs.saveDir, name)),
      chooseKeyFile: async () => dialogs.keyFiles.shift() ?? null,
    },
    openExternal: async (url) => {
      openedUrls.push(url);
    },
    listDrives: fakeDrives,
    custody,
    documents,
    writeFile: async (path, data) => {
      await writeFile(path, data);
      written.set(path, typeof data === 'string' ? data.length : data.byteLength);
    },
    stationKeyFile,
    pinnedRoots,
    dataDir: root,
    escrowPublicKey: null,
    log: () => {},
    driveTrust: new DriveTrust(pinnedRoots, settings, () => custody.journal(), join(root, 'revocations.json')),
  };
  return {
    root,
    driveDir,
    smallDriveDir,
    sourcesDir,
    restoreDir,
    dialogs,
    handlers: createHandlers(deps),
    engineHost,
    stationKeyFile,
    custody,
    listeners,
    settings,
    written,
    openedUrls,
    attachDrive,
    detachDrive,
  };
}
