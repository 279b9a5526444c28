/**
 * Builds the renderer (React) into dist/renderer with relative asset URLs, so the same files
 * load from the app:// protocol in Electron and over http in the e2e harness.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    // no inline scripts or styles: the CSP forbids them
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
