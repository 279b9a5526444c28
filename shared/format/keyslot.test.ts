import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { gcmsiv } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { argon2id } from '@noble/hashes/argon2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScelleError } from '../errors/scelle-error.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { type Keyslot, type UnlockCodeKeyslot, type X25519Keyslot, unwrapKeyslots, wrapForUnlockCode, wrapForX25519 } from './keyslot.js';
import { canonicalizeUnlockCode, generateUnlockCode } from './unlock-code.js';

const DRIVE = '01J8ZK3V6Q-TEST';

async function failure(p: Promise<unknown>): Promise<ScelleError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ScelleError) return e;
    throw e;
  }
  throw new Error('expected a ScelleError, got success');
}

/** Flips the lowest bit of byte `at` of a base64 field. */
function flip(b64: string, at = 0): string {
  const bytes = decodeBase64(b64)!;
  bytes[at] = bytes[at]! ^ 1;
  return encodeBase64(bytes);
}

describe('unlock-code keyslot', () => {
  const dataKey = randomBytes(32);
  const code = generateUnlockCode();
  let slot: UnlockCodeKeyslot;

  beforeAll(async () => {
    const t0 = performance.now();
    slot = await wrapForUnlockCode(dataKey, canonicalizeUnlockCode(code), DRIVE);
    // Reported by the brief: one Argon2id (m=64 MiB, t=3, p=1) on this machine.
    console.log(`wrapForUnlockCode: ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it('writes the manifest shape with the fixed Argon2id parameters and byte lengths', () => {
    expect(slot.type).toBe('unlock-code');
    expect(slot.kdf).toMatchObject({ alg: 'argon2id', m: 65536, t: 3, p: 1 });
    expect(decodeBase64(slot.kdf.salt, 16)).not.toBeNull();
    expect(decodeBase64(slot.nonce, 12)).not.toBeNull();
    expect(decodeBase64(slot.wrapped, 48)).not.toBeNull();
    expect(Object.keys(slot).sort()).toEqual(['kdf', 'nonce', 'type', 'wrapped']);
  });

  it('follows DESIGN §3: an independent derivation from the spec opens it', () => {
    const canonical = code.replaceAll('-', ''); // data + check characters, uppercase, no separators
    const kek = argon2id(new TextEncoder().encode(canonical), decodeBase64(slot.kdf.salt)!, { m: 65536, t: 3, p: 1, dkLen: 32 });
    const aad = new TextEncoder().encode(`scelle/1 keyslot unlock-code ${DRIVE}`);
    expect(gcmsiv(kek, decodeBase64(slot.nonce)!, aad).decrypt(decodeBase64(slot.wrapped)!)).toEqual(dataKey);
  });

  it('opens with the code as typed (lowercase, spaces, O for 0) without blocking the event loop', async () => {
    const typed = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o');
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    try {
      expect(await unwrapKeyslots([slot], { kind: 'unlock-code', code: typed }, DRIVE)).toEqual(dataKey);
    } finally {
      clearInterval(timer);
    }
    expect(maxGap).toBeLessThan(250);
  });

  it('rejects a typo or swapped characters before running the KDF', async () => {
    const canonical = canonicalizeUnlockCode(code);
    const typo = canonical[5] === 'A' ? 'B' : 'A';
    const swapAt = [...canonical].findIndex((c, i) => c !== canonical[i + 1]);
    const swapped = canonical.slice(0, swapAt) + canonical[swapAt + 1] + canonical[swapAt] + canonical.slice(swapAt + 2);
    for (const bad of [canonical.slice(0, 5) + typo + canonical.slice(6), swapped]) {
      const t0 = performance.now();
      const e = await failure(unwrapKeyslots([slot], { kind: 'unlock-code', code: bad }, DRIVE));
      expect(e.code).toBe('E_KEY_UNLOCK_CODE_TYPO');
      expect(performance.now() - t0).toBeLessThan(100);
    }
    expect((await failure(unwrapKeyslots([slot], { kind: 'unlock-code', code: 'ABCD-EFGH' }, DRIVE))).code).toBe('E_KEY_UNLOCK_CODE_FORMAT');
  });

  it('rejects a different valid code with E_KEY_WRONG', async () => {
    const e = await failure(unwrapKeyslots([slot], { kind: 'unlock-code', code: generateUnlockCode() }, DRIVE));
    expect(e.code).toBe('E_KEY_WRONG');
    expect(e.details.tried).toBe(1);
  });

  it('rejects a flipped bit in the salt, the nonce or the wrapped key, and a wrong drive id', async () => {
    const cases: [Keyslot, string][] = [
      [{ ...slot, kdf: { ...slot.kdf, salt: flip(slot.kdf.salt, 7) } }, DRIVE],
      [{ ...slot, nonce: flip(slot.nonce, 11) }, DRIVE],
      [{ ...slot, wrapped: flip(slot.wrapped, 40) }, DRIVE],
      [slot, 'OTHER-DRIVE'],
    ];
    for (const [s, driveId] of cases) {
      expect((await failure(unwrapKeyslots([s], { kind: 'unlock-code', code }, driveId))).code).toBe('E_KEY_WRONG');
    }
  });

  it('refuses KDF parameters out of bounds before deriving anything', async () => {
    const forged: unknown[] = [
      { ...slot.kdf, m: 32768 },
      { ...slot.kdf, t: 2 },
      { ...slot.kdf, p: 0 },
      { ...slot.kdf, m: 2 ** 21 },
      { ...slot.kdf, t: 17 },
      { ...slot.kdf, p: 9 },
      { ...slot.kdf, m: 65536.5 },
      { ...slot.kdf, alg: 'argon2i' },
      { ...slot.kdf, salt: encodeBase64(new Uint8Array(8)) },
    ];
    for (const kdf of forged) {
      const t0 = performance.now();
      const e = await failure(unwrapKeyslots([{ ...slot, kdf } as Keyslot], { kind: 'unlock-code', code }, DRIVE));
      expect(e.code).toBe('E_FORMAT_MANIFEST');
      expect(performance.now() - t0).toBeLessThan(100);
    }
    // A bad slot is refused even when a good one comes first: all candidates are checked up front.
    const e = await failure(unwrapKeyslots([slot, { ...slot, kdf: { ...slot.kdf, m: 2 ** 30 } }], { kind: 'unlock-code', code }, DRIVE));
    expect(e.code).toBe('E_FORMAT_MANIFEST');
  });

  it('reports E_KEY_WRONG without running Argon2id when the drive has no unlock-code slot', async () => {
    const other = wrapForX25519(dataKey, x25519.getPublicKey(x25519.utils.randomSecretKey()), DRIVE, 'escrow');
    const e = await failure(unwrapKeyslots([other], { kind: 'unlock-code', code }, DRIVE));
    expect(e.code).toBe('E_KEY_WRONG');
    expect(e.details.tried).toBe(0);
  });

  it('validates its arguments', async () => {
    expect((await failure(wrapForUnlockCode(dataKey.slice(1), code, DRIVE))).code).toBe('E_INTERNAL');
    expect((await failure(wrapForUnlockCode(dataKey, code, 'bad drive id'))).code).toBe('E_INTERNAL');
    expect((await failure(wrapForUnlockCode(dataKey, 'not a code', DRIVE))).code).toBe('E_KEY_UNLOCK_CODE_FORMAT');
  });
});

describe('x25519 keyslot', () => {
  const dataKey = randomBytes(32);
  const recipient = x25519.keygen();
  const slot = wrapForX25519(dataKey, recipient.publicKey, DRIVE, 'escrow');
  const secret = { kind: 'x25519' as const, secretKey: recipient.secretKey };

  it('writes the manifest shape and opens with the recipient secret key', async () => {
    expect(Object.keys(slot).sort()).toEqual(['ephemeral', 'label', 'nonce', 'recipient', 'type', 'wrapped']);
    expect(slot.recipient).toBe(encodeBase64(recipient.publicKey));
    expect(decodeBase64(slot.wrapped, 48)).not.toBeNull();
    expect(await unwrapKeyslots([slot], secret, DRIVE)).toEqual(dataKey);
  });

  it('follows DESIGN §3: X25519 and HKDF from node:crypto (independent code) open it', () => {
    const der = (prefix: string, key: Uint8Array) => Buffer.concat([Buffer.from(prefix, 'hex'), key]);
    const privateKey = createPrivateKey({ key: der('302e020100300506032b656e04220420', recipient.secretKey), format: 'der', type: 'pkcs8' });
    const ephemeral = decodeBase64(slot.ephemeral)!;
    const publicKey = createPublicKey({ key: der('302a300506032b656e032100', ephemeral), format: 'der', type: 'spki' });
    const shared = diffieHellman({ privateKey, publicKey });
    const info = `scelle/1 keyslot x25519 ${DRIVE}`;
    const kek = new Uint8Array(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient.publicKey]), info, 32));
    expect(gcmsiv(kek, decodeBase64(slot.nonce)!, new TextEncoder().encode(info)).decrypt(decodeBase64(slot.wrapped)!)).toEqual(dataKey);
  });

  it('uses a fresh ephemeral key and nonce for each wrap', () => {
    const again = wrapForX25519(dataKey, recipient.publicKey, DRIVE, 'escrow');
    expect(again.ephemeral).not.toBe(slot.ephemeral);
    expect(again.nonce).not.toBe(slot.nonce);
    expect(again.wrapped).not.toBe(slot.wrapped);
  });

  it('picks the slot for this key among several and skips unlock-code slots without a KDF', async () => {
    const other = x25519.keygen();
    const slots: Keyslot[] = [
      {
        type: 'unlock-code',
        kdf: { alg: 'argon2id', m: 65536, t: 3, p: 1, salt: encodeBase64(new Uint8Array(16)) },
        nonce: encodeBase64(new Uint8Array(12)),
        wrapped: encodeBase64(new Uint8Array(48)),
      },
      wrapForX25519(dataKey, other.publicKey, DRIVE, 'customer'),
      slot,
    ];
    const t0 = performance.now();
    expect(await unwrapKeyslots(slots, secret, DRIVE)).toEqual(dataKey);
    expect(await unwrapKeyslots(slots, { kind: 'x25519', secretKey: other.secretKey }, DRIVE)).toEqual(dataKey);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('rejects a key that no slot names, with nothing tried', async () => {
    const e = await failure(unwrapKeyslots([slot], { kind: 'x25519', secretKey: x25519.utils.randomSecretKey() }, DRIVE));
    expect(e.code).toBe('E_KEY_WRONG');
    expect(e.details.tried).toBe(0);
  });

  it('rejects a flipped bit in the ephemeral key, nonce or wrapped key, and a wrong drive id', async () => {
    const cases: [Keyslot, string][] = [
      [{ ...slot, ephemeral: flip(slot.ephemeral, 3) }, DRIVE],
      [{ ...slot, nonce: flip(slot.nonce, 0) }, DRIVE],
      [{ ...slot, wrapped: flip(slot.wrapped, 47) }, DRIVE],
      [slot, 'OTHER-DRIVE'],
    ];
    for (const [s, driveId] of cases) {
      const e = await failure(unwrapKeyslots([s], secret, driveId));
      expect(e.code).toBe('E_KEY_WRONG');
      expect(e.details.tried).toBe(1);
    }
  });

  it('rejects a slot re-addressed to another recipient (recipient is bound into the KEK)', async () => {
    const mallory = x25519.keygen();
    const readdressed: X25519Keyslot = { ...slot, recipient: encodeBase64(mallory.publicKey) };
    expect((await failure(unwrapKeyslots([readdressed], { kind: 'x25519', secretKey: mallory.secretKey }, DRIVE))).code).toBe('E_KEY_WRONG');
  });

  it('rejects low-order points: as a recipient when wrapping, as an ephemeral key when opening', async () => {
    const lowOrder = [new Uint8Array(32), Uint8Array.from([1, ...new Uint8Array(31)])];
    for (const point of lowOrder) {
      expect(() => wrapForX25519(dataKey, point, DRIVE, 'escrow')).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
      const e = await failure(unwrapKeyslots([{ ...slot, ephemeral: encodeBase64(point) }], secret, DRIVE));
      expect(e.code).toBe('E_KEY_WRONG');
    }
  });

  it('refuses malformed slots and keys', async () => {
    expect((await failure(unwrapKeyslots([{ ...slot, wrapped: slot.wrapped.slice(4) }], secret, DRIVE))).code).toBe('E_FORMAT_MANIFEST');
    expect((await failure(unwrapKeyslots([{ ...slot, label: '' }], secret, DRIVE))).code).toBe('E_FORMAT_MANIFEST');
    expect((await failure(unwrapKeyslots([slot], { kind: 'x25519', secretKey: new Uint8Array(31) }, DRIVE))).code).toBe('E_KEY_INVALID');
    expect(() => wrapForX25519(dataKey, new Uint8Array(33), DRIVE, 'escrow')).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
    expect(() => wrapForX25519(dataKey, recipient.publicKey, DRIVE, '')).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });
});

describe('known-answer vectors (for docs/FORMAT.md and independent implementations)', () => {
  // Generated with the primitives directly (noble argon2id/x25519/hkdf/gcmsiv), from DESIGN §3.
  const driveId = '0123456789ABCDEF';
  const dataKey = Uint8Array.from({ length: 32 }, (_, i) => i); // 00 01 .. 1f
  const unlockSlot: Keyslot = {
    type: 'unlock-code',
    kdf: { alg: 'argon2id', m: 65536, t: 3, p: 1, salt: 'EBESExQVFhcYGRobHB0eHw==' },
    nonce: 'ICEiIyQlJicoKSor',
    wrapped: 'OzrnQ8gffuVp2UDC/k0e7+kxL4qs2fyGMtGeaheLn7RSrmr7ae0H8fnRQ0l2A5kR',
  };
  const x25519Slot: Keyslot = {
    type: 'x25519',
    label: 'escrow',
    recipient: 'eaYx7t4b+cmPEgMs3q3Q56B5OY/HhriMyEbsia+FpRo=',
    ephemeral: 'Z13VdO13iTELPS52gfN5C0ZsdzsVIf7PNld5WDcepS8=',
    nonce: 'gIGCg4SFhoeIiYqL',
    wrapped: 'yeVGUdHV5ajEbBYlAbx4LXGCLkptudM53YEj6Lcvl5lmVR0r6UMxuKq94ioD4VyW',
  };

  it('opens the unlock-code vector with code 0123-4567-89AB-CDEF-GHJK-MNPQ-RA9P', async () => {
    expect(await unwrapKeyslots([x25519Slot, unlockSlot], { kind: 'unlock-code', code: '0123-4567-89AB-CDEF-GHJK-MNPQ-RA9P' }, driveId)).toEqual(dataKey);
  });

  it('opens the x25519 vector with secret key 40 41 .. 5f', async () => {
    const secretKey = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
    expect(await unwrapKeyslots([unlockSlot, x25519Slot], { kind: 'x25519', secretKey }, driveId)).toEqual(dataKey);
  });
});
