/**
 * Bundles electron/preload.ts into one CommonJS file (dist/electron/preload.cjs), because a
 * sandboxed preload can require only `electron`. Run after `tsc -p tsconfig.build.json`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('../dist/electron', import.meta.url)),
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    target: 'node20',
    lib: { entry: fileURLToPath(new URL('./preload.ts', import.meta.url)), formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
