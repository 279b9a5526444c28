/**
 * Builds the renderer (React) into dist/renderer with relative asset URLs, so the same files
 * load from the app:// protocol in Electron and over http in the e2e harness. (It runs in
 * Node, but uses import.meta.dirname rather than node: imports, which the renderer's lint forbids.)
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${import.meta.dirname}/../dist/renderer`,
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    // no inline scripts or styles: the CSP forbids them
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
