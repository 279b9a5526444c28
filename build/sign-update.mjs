// Signs an app release for the app's automatic updates (shared/provider/update-manifest.ts):
// writes scelle-update-<version>.json beside the installers, listing each installer by name and
// SHA-512 (the hash electron-builder writes in latest*.yml), signed with the provider's update
// key. Publish it in the update feed with the installers and latest*.yml.
//   node build/sign-update.mjs --key update.key --version 1.5.0 release/Scelle-1.5.0-x64-setup.exe …
// The key file is an Ed25519 key file as `scelle keygen root --out update.key` writes it: a key
// of its own, kept offline, never one of the roots; its .pub goes into the provider
// configuration's updateKeys.
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { readRootKeyFile } = await import(new URL('../dist/shared/format/key-files.js', import.meta.url).href);
const { signUpdateManifest, updateManifestName } = await import(new URL('../dist/shared/provider/update-manifest.js', import.meta.url).href);

const { values, positionals } = parseArgs({ options: { key: { type: 'string' }, version: { type: 'string' } }, allowPositionals: true });
if (!values.key || !values.version || positionals.length === 0) {
  console.error('usage: node build/sign-update.mjs --key <update key file> --version <x.y.z> <installer>…');
  process.exit(2);
}

async function sha512(file) {
  const h = createHash('sha512');
  for await (const chunk of createReadStream(file)) h.update(chunk);
  return h.digest('base64');
}

try {
  const key = await readRootKeyFile(values.key);
  const files = [];
  for (const f of positionals) files.push({ url: basename(f), sha512: await sha512(f) });
  const manifest = signUpdateManifest(key.secretKey, values.version, files);
  const out = join(dirname(positionals[0]), updateManifestName(values.version));
  writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  console.log(`signed ${files.length} file(s) of ${values.version}: ${out}`);
} catch (e) {
  console.error(`sign-update: ${e.message}`);
  process.exit(1);
}
