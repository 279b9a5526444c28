/**
 * Argon2id backends: node:crypto's native argon2 (Node ≥ 24.7) against @noble/hashes, on
 * RFC 9106's published vector, on the worked-example drive's unlock-code keyslot, and on the same
 * random inputs across a spread of parameters. On a runtime without the native function the
 * differential cases cannot run; they say so in the output, and the selection test checks that
 * @noble/hashes is then the one chosen.
 */
import { readFileSync } from 'node:fs';
import { gcmsiv } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { chooseArgon2id, nativeArgon2id, nobleArgon2id, passesKnownAnswer, RFC9106_ARGON2ID_VECTOR, selectArgon2id, type Argon2idBackend } from './argon2id.js';
import { decodeBase64 } from './base64.js';
import { unlockCodeKeyslotSchema } from './keyslot.js';
import { canonicalizeUnlockCode } from './unlock-code.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const native = nativeArgon2id();
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** Node ships crypto.argon2 from 24.7.0 on. */
const runtimeHasArgon2 = major > 24 || (major === 24 && minor >= 7);

console.log(
  `argon2id: Node ${process.version}, OpenSSL ${process.versions.openssl}; native crypto.argon2 ${native ? 'present' : 'absent (differential cases cannot run on this runtime)'}`,
);

const fixtureDir = new URL('../../test/fixtures/drive-v1/', import.meta.url);
const fixtureCode = readFileSync(new URL('unlock-code.txt', fixtureDir), 'utf8').trim();
const fixtureManifest = JSON.parse(readFileSync(new URL('SCELLE-GCK86F9V2FQTANES/manifest.json', fixtureDir), 'utf8')) as { driveId: string; keyslots: unknown[] };
const fixtureSlot = unlockCodeKeyslotSchema.parse(fixtureManifest.keyslots.find((s) => (s as { type: string }).type === 'unlock-code'));

/** Opens the fixture's unlock-code slot with a key derived by `backend`; the data key or null. */
async function openFixtureSlot(backend: Argon2idBackend): Promise<Uint8Array | null> {
  const kek = await backend.derive(new TextEncoder().encode(canonicalizeUnlockCode(fixtureCode)), decodeBase64(fixtureSlot.kdf.salt)!, {
    m: fixtureSlot.kdf.m,
    t: fixtureSlot.kdf.t,
    p: fixtureSlot.kdf.p,
    dkLen: 32,
  });
  try {
    return gcmsiv(kek, decodeBase64(fixtureSlot.nonce)!, new TextEncoder().encode(`scelle/1 keyslot unlock-code ${fixtureManifest.driveId}`)).decrypt(
      decodeBase64(fixtureSlot.wrapped)!,
    );
  } catch {
    return null;
  }
}

describe('Argon2id with @noble/hashes', () => {
  it('reproduces RFC 9106 §5.3', async () => {
    expect(await passesKnownAnswer(nobleArgon2id)).toBe(true);
  });

  it('opens the worked-example drive’s unlock-code keyslot', async () => {
    expect((await openFixtureSlot(nobleArgon2id))?.length).toBe(32);
  });
});

describe('choosing the backend', () => {
  it('takes the native one on a runtime that has it (Node ≥ 24.7), @noble/hashes elsewhere', async () => {
    const chosen = await selectArgon2id();
    console.log(`argon2id: this process derives with ${chosen.name}`);
    expect(chosen.name).toBe(runtimeHasArgon2 ? 'native' : 'noble');
  });

  it('refuses a native function that gives a wrong answer or throws', async () => {
    const wrong: Argon2idBackend = { name: 'native', derive: async (_p, _s, params) => new Uint8Array(params.dkLen).fill(7) };
    const throwing: Argon2idBackend = { name: 'native', derive: () => Promise.reject(new Error('not supported by this crypto library')) };
    expect(await chooseArgon2id(wrong)).toBe(nobleArgon2id);
    expect(await chooseArgon2id(throwing)).toBe(nobleArgon2id);
    expect(await chooseArgon2id(null)).toBe(nobleArgon2id);
    const right: Argon2idBackend = { name: 'native', derive: (p, s, params, extras) => nobleArgon2id.derive(p, s, params, extras) };
    expect(await chooseArgon2id(right)).toBe(right);
  });
});

describe.skipIf(native === null)('native Argon2id against @noble/hashes (differential)', () => {
  it('reproduces RFC 9106 §5.3', async () => {
    expect(await passesKnownAnswer(native!)).toBe(true);
    const v = RFC9106_ARGON2ID_VECTOR;
    expect(hex(await native!.derive(v.password, v.salt, v.params, { secret: v.secret, associatedData: v.associatedData }))).toBe(v.tag);
  });

  it('opens the worked-example drive’s unlock-code keyslot with the same key as @noble/hashes (both timed)', async () => {
    const t0 = performance.now();
    const viaNative = await openFixtureSlot(native!);
    const t1 = performance.now();
    const viaNoble = await openFixtureSlot(nobleArgon2id);
    const t2 = performance.now();
    console.log(`argon2id m=64 MiB t=3 p=1: native ${(t1 - t0).toFixed(0)} ms, @noble/hashes ${(t2 - t1).toFixed(0)} ms`);
    expect(viaNative?.length).toBe(32);
    expect(viaNative).toEqual(viaNoble);
  });

  it('gives the same bytes for the same inputs across parameters, lengths and extras', async () => {
    const cases: { m: number; t: number; p: number; dkLen: number; pw: number; salt: number; extras: boolean }[] = [];
    for (const p of [1, 2, 4]) for (const t of [1, 2, 3]) cases.push({ m: 64 * p, t, p, dkLen: 32, pw: 28, salt: 16, extras: false });
    cases.push(
      { m: 8, t: 1, p: 1, dkLen: 4, pw: 0, salt: 8, extras: false },
      { m: 100, t: 2, p: 3, dkLen: 65, pw: 1, salt: 9, extras: true },
      { m: 1024, t: 1, p: 1, dkLen: 128, pw: 300, salt: 32, extras: true },
      { m: 2048, t: 4, p: 8, dkLen: 64, pw: 28, salt: 16, extras: false },
    );
    for (const c of cases) {
      const password = crypto.getRandomValues(new Uint8Array(c.pw));
      const salt = crypto.getRandomValues(new Uint8Array(c.salt));
      const extras = c.extras ? { secret: crypto.getRandomValues(new Uint8Array(8)), associatedData: crypto.getRandomValues(new Uint8Array(12)) } : {};
      const params = { m: c.m, t: c.t, p: c.p, dkLen: c.dkLen };
      const a = await native!.derive(password, salt, params, extras);
      const b = await nobleArgon2id.derive(password, salt, params, extras);
      expect(a.length, JSON.stringify(c)).toBe(c.dkLen);
      expect(hex(a), JSON.stringify(c)).toBe(hex(b));
    }
  });

  it('fails on the same out-of-range input as @noble/hashes (a salt shorter than 8 bytes)', async () => {
    const params = { m: 64, t: 1, p: 1, dkLen: 32 };
    await expect(native!.derive(new Uint8Array(4), new Uint8Array(7), params)).rejects.toThrow();
    await expect(nobleArgon2id.derive(new Uint8Array(4), new Uint8Array(7), params)).rejects.toThrow();
  });
});
