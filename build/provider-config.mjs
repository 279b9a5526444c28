// Writes the provider configuration a build carries into dist/provider.json, where the app and
// the command line read it (shared/provider/provider-config.ts). Run by `npm run build` after
// tsc; `npm run dist` runs it with --require, so that no installer is ever made without the
// provider's root keys.
//   SCELLE_PROVIDER=/path/to/provider.json npm run build      a production build
//   npm run build                                            a development build (no provider)
//   node build/provider-config.mjs [--require] [--out <file>]   (default out: dist/provider.json)
// The file named by $SCELLE_PROVIDER holds public keys and addresses only:
//   { "name": "…", "roots": ["<base64 Ed25519>"], "escrowPublicKey": "<base64 X25519>" | null,
//     "custodyUrl": "https://…" | null, "updateUrl": "https://…" | null,
//     "updateKeys": ["<base64 Ed25519>"] }   (required with updateUrl)
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseProviderConfig } = await import(new URL('../dist/shared/provider/provider-config.js', import.meta.url).href);

const args = process.argv.slice(2);
const required = args.includes('--require');
const outAt = args.indexOf('--out');
const out = outAt >= 0 && args[outAt + 1] ? resolve(args[outAt + 1]) : resolve(root, 'dist/provider.json');
const source = process.env.SCELLE_PROVIDER;
let config = null;
if (source) {
  try {
    config = parseProviderConfig(readFileSync(resolve(source), 'utf8'), source);
  } catch (e) {
    console.error(`provider configuration: ${e.message}`);
    process.exit(1);
  }
  if (config === null) {
    console.error(`provider configuration: ${source} says null; a provider file names at least one root key`);
    process.exit(1);
  }
}
if (required && config === null) {
  console.error(
    'provider configuration: packaging needs the provider\'s root keys. Set SCELLE_PROVIDER to the provider\'s configuration file (docs/DESKTOP.md, "Provider configuration") and build again.',
  );
  process.exit(1);
}
writeFileSync(out, `${JSON.stringify(config, null, 2)}\n`);
if (config) console.log(`provider configuration: ${config.name}, ${config.roots.length} root key(s) built in`);
