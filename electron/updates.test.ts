import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../shared/format/base64.js';
import { generateSigningKeyPair } from '../shared/format/station-cert.js';
import type { ProviderConfig } from '../shared/provider/provider-config.js';
import { compareVersions, signUpdateManifest, updateManifestName, type UpdateFile } from '../shared/provider/update-manifest.js';
import { fetchFeedJson, UpdateController, type Updater } from './updates.js';

const updateKey = generateSigningKeyPair();
const otherKey = generateSigningKeyPair();
const files: UpdateFile[] = [{ url: 'Scelle-1.5.0-x64-setup.exe', sha512: Buffer.alloc(64, 7).toString('base64') }];
const provider: ProviderConfig = {
  name: 'Nuage Québec',
  roots: [encodeBase64(generateSigningKeyPair().publicKey)],
  escrowPublicKey: null,
  custodyUrl: null,
  updateUrl: 'https://updates.example.ca/scelle',
  updateKeys: [encodeBase64(updateKey.publicKey)],
};

/** A scripted electron-updater that offers `offer` and records what it was asked. */
function fakeUpdater(offer: { version: string; files: UpdateFile[] } | null) {
  const calls: string[] = [];
  const u: Updater & { calls: string[] } = {
    calls,
    autoDownload: true,
    autoInstallOnAppQuit: true,
    setFeedURL: (o) => {
      calls.push(`feed ${o.url}`);
    },
    checkForUpdates: async () => (offer ? { isUpdateAvailable: true, updateInfo: offer } : null),
    downloadUpdate: async () => {
      calls.push('download');
      return [];
    },
  };
  return u;
}

describe('automatic updates', () => {
  it('download and install only an offer that matches a manifest signed by a pinned update key', async () => {
    const u = fakeUpdater({ version: '1.5.0', files });
    expect([u.autoDownload, u.autoInstallOnAppQuit]).toEqual([true, true]);
    const fetched: string[] = [];
    const c = new UpdateController(
      provider,
      '1.4.2',
      u,
      async (url) => {
        fetched.push(url);
        return signUpdateManifest(updateKey.secretKey, '1.5.0', files);
      },
      () => undefined,
    );
    expect([u.autoDownload, u.autoInstallOnAppQuit]).toEqual([false, false]);
    expect(await c.check()).toEqual({ state: 'ready', version: '1.5.0' });
    expect(fetched).toEqual([`https://updates.example.ca/scelle/${updateManifestName('1.5.0')}`]);
    expect(u.calls).toEqual(['feed https://updates.example.ca/scelle', 'download']);
    expect(u.autoInstallOnAppQuit).toBe(true);
  });

  it.each([
    ['signed by another key', () => signUpdateManifest(otherKey.secretKey, '1.5.0', files), { version: '1.5.0', files }, 'bad-signature'],
    [
      'the feed offers another installer than the one signed',
      () => signUpdateManifest(updateKey.secretKey, '1.5.0', files),
      { version: '1.5.0', files: [{ ...files[0]!, sha512: Buffer.alloc(64, 8).toString('base64') }] },
      'mismatch',
    ],
    ['the feed offers another version than the one signed', () => signUpdateManifest(updateKey.secretKey, '1.5.0', files), { version: '1.6.0', files }, 'mismatch'],
    ['a replayed older release (downgrade)', () => signUpdateManifest(updateKey.secretKey, '1.3.0', files), { version: '1.3.0', files }, 'not-newer'],
    ['an altered manifest', () => ({ ...signUpdateManifest(updateKey.secretKey, '1.5.0', files), version: '1.5.1' }), { version: '1.5.1', files }, 'bad-signature'],
  ])('refuse an update %s: nothing downloaded, nothing set to install', async (_what, manifest, offer, problem) => {
    const u = fakeUpdater(offer);
    const c = new UpdateController(
      provider,
      '1.4.2',
      u,
      async () => manifest(),
      () => undefined,
    );
    expect(await c.check()).toMatchObject({ state: 'refused', code: 'E_UPDATE_SIGNATURE', problem });
    expect(u.calls).not.toContain('download');
    expect(u.autoInstallOnAppQuit).toBe(false);
  });

  it('do nothing in a build without a feed, and report an up-to-date app', async () => {
    const u = fakeUpdater({ version: '1.5.0', files });
    expect(
      await new UpdateController(
        null,
        '1.4.2',
        u,
        async () => null,
        () => undefined,
      ).check(),
    ).toEqual({ state: 'disabled' });
    expect(u.calls).toEqual([]);
    expect(
      await new UpdateController(
        provider,
        '1.4.2',
        fakeUpdater(null),
        async () => null,
        () => undefined,
      ).check(),
    ).toEqual({ state: 'up-to-date' });
  });

  it('refuse an offer whose signed manifest is missing from the feed', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/feed/scelle-update-1.5.0.json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(signUpdateManifest(updateKey.secretKey, '1.5.0', files)));
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    try {
      const local = { ...provider, updateUrl: base };
      expect(await new UpdateController(local, '1.4.2', fakeUpdater({ version: '1.5.0', files }), fetchFeedJson, () => undefined).check()).toEqual({
        state: 'ready',
        version: '1.5.0',
      });
      const u = fakeUpdater({ version: '1.6.0', files });
      expect(await new UpdateController(local, '1.4.2', u, fetchFeedJson, () => undefined).check()).toMatchObject({ state: 'refused', problem: 'missing' });
      expect(u.calls).not.toContain('download');
    } finally {
      server.close();
    }
  });

  it('order versions as semantic versions, pre-releases before their release', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(compareVersions('2.0.0-rc.1', '2.0.0')).toBe(-1);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
  });
});

describe('build/sign-update.mjs', () => {
  it('signs a release so that the app accepts exactly its installers', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createHash } = await import('node:crypto');
    const dir = mkdtempSync(join(tmpdir(), 'release-'));
    const bin = new URL('../bin/scelle.js', import.meta.url).pathname;
    expect(spawnSync(process.execPath, [bin, 'keygen', 'root', '--out', join(dir, 'update.key')], { env: { ...process.env, SCELLE_HOME: dir } }).status).toBe(0);
    const installer = join(dir, 'Scelle-2.0.0-x64-setup.exe');
    writeFileSync(installer, Buffer.alloc(100_000, 3));
    const script = new URL('../build/sign-update.mjs', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [script, '--key', join(dir, 'update.key'), '--version', '2.0.0', installer], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, updateManifestName('2.0.0')), 'utf8')) as unknown;
    const pub = (JSON.parse(readFileSync(join(dir, 'update.key.pub'), 'utf8')) as { publicKey: string }).publicKey;
    const sha = createHash('sha512').update(readFileSync(installer)).digest('base64');
    const local = { ...provider, updateKeys: [pub] };
    expect(
      await new UpdateController(
        local,
        '1.9.0',
        fakeUpdater({ version: '2.0.0', files: [{ url: 'Scelle-2.0.0-x64-setup.exe', sha512: sha }] }),
        async () => manifest,
        () => undefined,
      ).check(),
    ).toEqual({ state: 'ready', version: '2.0.0' });
    // Signing again never overwrites a published manifest.
    expect(spawnSync(process.execPath, [script, '--key', join(dir, 'update.key'), '--version', '2.0.0', installer], { encoding: 'utf8' }).status).toBe(1);
  });
});
