/**
 * shared/ipc: the one contract between the Electron main process (or the test harness) and
 * the renderer. See channels.ts for the table and api.ts for `window.scelle`.
 */
export * from './envelope.js';
export * from './schemas.js';
export * from './channels.js';
export * from './channel-names.js';
export * from './api.js';
export * from './limits.js';
