/**
 * Builds the renderer once before the e2e tests (vite build -c renderer/vite.config.ts).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export default async function globalSetup(): Promise<void> {
  if (process.env['SCELLE_E2E_SKIP_BUILD'] === '1') return;
  await build({ configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
