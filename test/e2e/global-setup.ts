/**
 * Before the e2e tests: builds the renderer (vite build -c renderer/vite.config.ts) and checks
 * that the real engine loads and that its compiled worker (dist/electron/engine/engine-worker.js) exists. There is no fake engine and no fake custody service: when the
 * engine cannot be loaded, the run stops here with a message saying what to do.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { loadRealEngine, requireEngineWorker } from './harness-deps.js';

export default async function globalSetup(): Promise<void> {
  console.log(`playwright: Node.js ${process.version} at ${process.execPath}`);
  await loadRealEngine();
  requireEngineWorker();
  if (process.env['SCELLE_E2E_SKIP_BUILD'] === '1') return;
  await build({ configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
