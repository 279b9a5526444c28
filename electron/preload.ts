/**
 * The preload script: exposes `window.scelle` (shared/ipc's ScelleApi) through contextBridge.
 * Sandboxed preloads can import only `electron`, so this file is bundled to CommonJS
 * (dist/electron/preload.cjs) by electron/vite.preload.config.ts. It exposes invoke functions
 * for the contract's channels only, never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildScelleApi } from '../shared/ipc/api.js';
import { IPC_PREFIX } from '../shared/ipc/channel-names.js';

const api = buildScelleApi(
  (channel, request) => ipcRenderer.invoke(`${IPC_PREFIX}${channel}`, request),
  (channel, listener) => {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(`${IPC_PREFIX}event:${channel}`, handler);
    return () => {
      ipcRenderer.removeListener(`${IPC_PREFIX}event:${channel}`, handler);
    };
  },
);

contextBridge.exposeInMainWorld('scelle', api);
