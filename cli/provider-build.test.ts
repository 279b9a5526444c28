// A production build of the command line carries its provider's root keys (dist/provider.json,
// written by build/provider-config.mjs): drives sealed by the provider's stations verify as
// certified with nothing set up on the machine, roots set up locally are not trusted, and a
// damaged configuration stops the command. Runs a copy of the built bundle beside a provider
// file, as an installed production build would sit. Requires `npm run build`.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytes, tempDir, writeTree } from '../test/support/engine-fixtures.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const devBin = join(repo, 'bin/scelle.js');
const bundle = join(repo, 'dist/cli-bundle');
const buildScript = join(repo, 'build/provider-config.mjs');

function env(home: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, SCELLE_HOME: home, SCELLE_LANG: '' };
  delete e.SCELLE_PROVIDER;
  return e;
}
const dev = (args: string[], home: string) => spawnSync(process.execPath, [devBin, ...args], { encoding: 'utf8', env: env(home), timeout: 120_000 });

/** A copy of the built command line with `provider` as its build-time configuration. */
function productionBuild(provider: string): (args: string[], home: string) => SpawnSyncReturns<string> {
  const dist = join(tempDir(), 'dist');
  cpSync(bundle, join(dist, 'cli-bundle'), { recursive: true });
  writeFileSync(join(dist, 'provider.json'), provider);
  // What bin/scelle.js does, from the copy.
  const entry = join(dist, 'scelle.mjs');
  writeFileSync(entry, "import { main } from './cli-bundle/scelle.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  return (args, home) => spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: env(home), timeout: 120_000 });
}

function resultOf(r: SpawnSyncReturns<string>): Record<string, unknown> {
  const events = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ev = events.find((e) => e.event === 'result' || e.event === 'error');
  if (!ev) throw new Error(`no result in: ${r.stdout}\n${r.stderr}`);
  return ev;
}

beforeAll(() => {
  if (!existsSync(join(bundle, 'scelle.js'))) throw new Error('dist/cli-bundle is missing: run `npm run build` first (npm test does it)');
});

describe('the build step that writes the provider configuration', () => {
  it('refuses to package without a provider, and writes a checked configuration when given one', () => {
    const dir = tempDir();
    const out = join(dir, 'provider.json');
    const none = spawnSync(process.execPath, [buildScript, '--require', '--out', out], { encoding: 'utf8', env: env(dir) });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('SCELLE_PROVIDER');
    expect(existsSync(out)).toBe(false);

    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'X', roots: ['not-a-key'] }));
    const bad = spawnSync(process.execPath, [buildScript, '--require', '--out', out], { encoding: 'utf8', env: { ...env(dir), SCELLE_PROVIDER: join(dir, 'bad.json') } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('roots.0');
    expect(existsSync(out)).toBe(false);

    expect(dev(['keygen', 'root', '--out', join(dir, 'root.key')], dir).status).toBe(0);
    const rootPub = (JSON.parse(readFileSync(join(dir, 'root.key.pub'), 'utf8')) as { publicKey: string }).publicKey;
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ name: 'Nuage Québec', roots: [rootPub] }));
    const good = spawnSync(process.execPath, [buildScript, '--require', '--out', out], { encoding: 'utf8', env: { ...env(dir), SCELLE_PROVIDER: join(dir, 'good.json') } });
    expect(good.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ name: 'Nuage Québec', roots: [rootPub], escrowPublicKey: null, custodyUrl: null, updateUrl: null, updateKeys: [] });
  });
});

describe('a production build of the command line', () => {
  it("trusts its built-in roots only: the provider's station is certified with nothing set up, a locally added root is refused", () => {
    const admin = tempDir();
    expect(dev(['keygen', 'root', '--out', join(admin, 'root.key')], admin).status).toBe(0);
    expect(dev(['keygen', 'root', '--out', join(admin, 'other-root.key')], admin).status).toBe(0);
    expect(dev(['keygen', 'escrow', '--out', join(admin, 'escrow.key')], admin).status).toBe(0);
    expect(dev(['keygen', 'station', '--id', 'mtl-prep-1', '--out', join(admin, 'station.key')], admin).status).toBe(0);
    expect(
      dev(['certify', '--root-key', join(admin, 'root.key'), '--station-pub', join(admin, 'station.key.pub'), '--id', 'mtl-prep-1', '--out', join(admin, 'cert.json')], admin)
        .status,
    ).toBe(0);
    const rootPub = (JSON.parse(readFileSync(join(admin, 'root.key.pub'), 'utf8')) as { publicKey: string }).publicKey;
    const escrowPub = (JSON.parse(readFileSync(join(admin, 'escrow.key.pub'), 'utf8')) as { publicKey: string }).publicKey;
    const prod = productionBuild(JSON.stringify({ name: 'Nuage Québec', roots: [rootPub], escrowPublicKey: escrowPub }));

    // The provider's station, set up with its key and certificate only: no root, no escrow file.
    const station = tempDir();
    expect(prod(['setup', '--station-key', join(admin, 'station.key'), '--certificate', join(admin, 'cert.json'), '--json'], station).status).toBe(0);
    const src = tempDir();
    writeTree(src, { 'client/rapport.pdf': bytes(3000, 5) });
    const sealed = resultOf(prod(['seal', join(src, 'client'), '--to', tempDir(), '--no-unlock-code', '--json'], station));
    expect(sealed).toMatchObject({ event: 'result', stationId: 'mtl-prep-1', stationCertified: true });

    // A customer's machine with nothing set up: the production build says certified; a
    // development build (no roots) does not; the built-in escrow key was a recipient.
    const customer = tempDir();
    const prodVerify = prod(['verify', String(sealed.driveDir), '--identity', join(admin, 'escrow.key')], customer);
    expect(prodVerify.status, prodVerify.stdout + prodVerify.stderr).toBe(0);
    expect(prodVerify.stdout).toContain('poste mtl-prep-1 certifié à la date du manifeste');
    expect(resultOf(prod(['verify', String(sealed.driveDir), '--json'], customer))).toMatchObject({ ok: true, station: { id: 'mtl-prep-1', certified: true } });
    expect(resultOf(dev(['verify', String(sealed.driveDir), '--json'], customer))).toMatchObject({ ok: true, station: { certified: false, reason: 'unknown-root' } });

    // A root added on the machine is neither accepted by setup nor trusted if planted in the folder.
    const refused = prod(['setup', '--root', join(admin, 'other-root.key.pub'), '--json'], customer);
    expect(refused.status).not.toBe(0);
    expect(resultOf(refused)).toMatchObject({ event: 'error', code: 'E_USAGE' });
    const otherProd = productionBuild(
      JSON.stringify({ name: 'Autre', roots: [(JSON.parse(readFileSync(join(admin, 'other-root.key.pub'), 'utf8')) as { publicKey: string }).publicKey] }),
    );
    const plantedRootHome = tempDir();
    expect(dev(['setup', '--root', join(admin, 'root.key.pub'), '--json'], plantedRootHome).status).toBe(0);
    expect(resultOf(dev(['verify', String(sealed.driveDir), '--json'], plantedRootHome))).toMatchObject({ station: { certified: true } });
    expect(resultOf(otherProd(['verify', String(sealed.driveDir), '--json'], plantedRootHome))).toMatchObject({ station: { certified: false, reason: 'unknown-root' } });
  });

  it('stops with E_PROVIDER_CONFIG when its configuration is damaged, instead of trusting nothing silently', () => {
    const prod = productionBuild('{"name": "Nuage Québec", "roots": [');
    const r = prod(['setup', '--json'], tempDir());
    expect(r.status).not.toBe(0);
    expect(resultOf(r)).toMatchObject({ event: 'error', code: 'E_PROVIDER_CONFIG' });
  });
});
