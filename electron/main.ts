/**
 * The Electron main process, kept thin: one window on the app:// origin with Electron's
 * security checklist (context isolation, sandbox, no Node, web security, strict CSP, no
 * navigation, no new windows, no permissions), IPC brokered to handlers/ (sender checked
 * against the main frame and the app origin), and the engine in a utility process, restarted
 * after a crash or a cancel it did not obey.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import { listAttachedDrives } from '../shared/drives/index.js';
import { INVOKE_CHANNEL_NAMES, IPC_PREFIX } from '../shared/ipc/index.js';
import { resolveAppFile } from './app-protocol.js';
import { RENDERER_CSP_HEADER } from './csp.js';
import { HttpCustodyClient } from './custody-client.js';
import { documents } from './documents.js';
import { SupervisedEngineHost } from './engine/engine-host.js';
import { utilityProcessChannel } from './engine/engine-utility-process.js';
import { checkEvent, createHandlers } from './handlers/index.js';
import electronUpdater from 'electron-updater';
import { PINNED_ROOTS, ESCROW_PUBLIC_KEY, PROVIDER } from './provider-keys.js';
import { fetchFeedJson, UpdateController } from './updates.js';
import { DriveTrust, fetchCustodyJson } from './drive-trust.js';
import { APP_ORIGIN, trustedSenders } from './sender.js';
import { safeStorageCipher } from './secret-cipher.js';
import { JsonSettingsStore } from './settings-store.js';
import { loadOrCreateStation } from './station.js';

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '..', 'renderer');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

let win: BrowserWindow | null = null;

function hardenContents(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

async function start(): Promise<void> {
  hardenContents();
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] }, (_details, callback) => callback({ cancel: true }));
  protocol.handle('app', async (request) => {
    const target = resolveAppFile(rendererDir, request.url);
    if (!target) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(target.file);
      return new Response(body, { headers: { 'content-type': target.type, 'content-security-policy': RENDERER_CSP_HEADER, 'x-content-type-options': 'nosniff' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });

  const userData = app.getPath('userData');
  const stationKeyFile = join(userData, 'station.json');
  await loadOrCreateStation(stationKeyFile, `station-${process.platform}-local`);
  // Custody tokens are sealed with the OS keychain (safeStorage), never written in clear.
  const settings = new JsonSettingsStore(join(userData, 'settings.json'), safeStorageCipher(safeStorage));
  const emitToRenderer = (channel: string, payload: unknown) => win?.webContents.send(`${IPC_PREFIX}event:${channel}`, payload);
  const engine = new SupervisedEngineHost(
    utilityProcessChannel(new URL('./engine/engine-worker.js', import.meta.url)),
    (jobId, progress) => emitToRenderer('job.progress', checkEvent('job.progress', { jobId, progress })),
    { pinnedRoots: PINNED_ROOTS, onRestart: (reason, detail) => console.error(`engine: ended (${reason}: ${detail})`) },
  );
  const custody = new HttpCustodyClient(settings, join(userData, 'custody-journal'), stationKeyFile, {}, PINNED_ROOTS);
  const driveTrust = new DriveTrust(
    PINNED_ROOTS,
    settings,
    () => custody.journal(),
    join(userData, 'revocations.json'),
    (line) => console.error(line),
  );
  const handlers = createHandlers({
    shell: 'electron',
    version: app.getVersion(),
    platform: process.platform,
    isTrustedSender: trustedSenders([APP_ORIGIN]),
    engine,
    emit: (channel, payload) => emitToRenderer(channel, payload),
    settings,
    dialogs: {
      chooseSources: async (kind) => {
        const r = await dialog.showOpenDialog(win!, { properties: kind === 'files' ? ['openFile', 'multiSelections'] : ['openDirectory', 'multiSelections'] });
        return r.canceled ? [] : r.filePaths;
      },
      chooseFolder: async () => {
        const r = await dialog.showOpenDialog(win!, { properties: ['openDirectory', 'createDirectory'] });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      saveFile: async (defaultName, kind) => {
        const r = await dialog.showSaveDialog(win!, { defaultPath: defaultName, filters: [{ name: kind.toUpperCase(), extensions: [kind] }] });
        return r.canceled ? null : (r.filePath ?? null);
      },
      chooseKeyFile: async (kind) => {
        const extensions = kind === 'customer-key' ? ['key'] : ['pub'];
        const r = await dialog.showOpenDialog(win!, {
          properties: ['openFile'],
          filters: [
            { name: extensions[0]!.toUpperCase(), extensions },
            { name: '*', extensions: ['*'] },
          ],
        });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
    },
    openExternal: async (url) => {
      if (url.startsWith('https://')) await shell.openExternal(url);
    },
    listDrives: (opts) => listAttachedDrives(opts),
    custody,
    documents,
    writeFile: (path, data) => writeFile(path, data),
    stationKeyFile,
    pinnedRoots: PINNED_ROOTS,
    dataDir: userData,
    escrowPublicKey: ESCROW_PUBLIC_KEY,
    log: (line) => console.error(line),
    driveTrust,
  });

  for (const channel of INVOKE_CHANNEL_NAMES) {
    ipcMain.handle(`${IPC_PREFIX}${channel}`, (event: IpcMainInvokeEvent, payload: unknown) => {
      const frame = event.senderFrame;
      const fromMainFrame = win !== null && event.sender === win.webContents && frame !== null && frame === win.webContents.mainFrame;
      return handlers.handle({ channel, senderUrl: fromMainFrame ? frame.url : 'about:blank', payload });
    });
  }

  // Queued custody events leave on their own: at start, then every five minutes.
  // The provider's revocation list is refreshed with them (drive-trust.ts).
  const pushQueued = () => {
    void custody.sync().catch(() => undefined);
    void settings
      .get()
      .then((s) => driveTrust.refresh((url) => fetchCustodyJson(url, s.custodyCaPath)))
      .catch((e: unknown) => console.error(`revocation list not refreshed: ${(e as Error).message}`));
  };
  pushQueued();
  setInterval(pushQueued, 5 * 60_000).unref();

  // Updates from the provider's feed, each checked against a manifest signed by a pinned update
  // key (updates.ts): a minute after start, then every six hours; installed when the app quits.
  if (app.isPackaged && PROVIDER?.updateUrl) {
    const updates = new UpdateController(PROVIDER, app.getVersion(), electronUpdater.autoUpdater, fetchFeedJson, (line) => console.error(line));
    const checkUpdates = () => void updates.check().catch((e: unknown) => console.error(`update check failed: ${(e as Error).message}`));
    setTimeout(checkUpdates, 60_000).unref();
    setInterval(checkUpdates, 6 * 3600_000).unref();
  }

  win = new BrowserWindow({
    width: 1200,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Scellé',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
    void engine.close();
    void custody.close();
  });
  await win.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('window-all-closed', () => app.quit());
app
  .whenReady()
  .then(start)
  .catch((e: unknown) => {
    console.error('Scellé could not start:', (e as Error).message);
    app.exit(1);
  });
