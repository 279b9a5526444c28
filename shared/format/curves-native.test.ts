import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, x25519PublicKey, x25519SharedSecret } from './curves-native.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function withS(sig: Uint8Array, f: (s: bigint) => bigint): Uint8Array {
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
  let v = f(s);
  const out = Uint8Array.from(sig);
  for (let i = 0; i < 32; i++) {
    out[32 + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

describe('Ed25519 and X25519 through node:crypto give the bytes and outcomes of @noble/curves', () => {
  it('derives the same public keys and signs the same bytes (RFC 8032, RFC 7748 are deterministic)', () => {
    for (let i = 0; i < 25; i++) {
      const sk = new Uint8Array(randomBytes(32));
      const msg = new Uint8Array(randomBytes(i * 7));
      expect(ed25519PublicKey(sk)).toEqual(ed25519.getPublicKey(sk));
      expect(x25519PublicKey(sk)).toEqual(x25519.getPublicKey(sk));
      expect(ed25519Sign(msg, sk)).toEqual(ed25519.sign(msg, sk));
    }
  });

  it('agrees on X25519 shared secrets, and refuses a peer key of small order (all-zero secret) as noble does', () => {
    for (let i = 0; i < 10; i++) {
      const a = new Uint8Array(randomBytes(32));
      const peer = new Uint8Array(randomBytes(32));
      expect(x25519SharedSecret(a, peer)).toEqual(x25519.getSharedSecret(a, peer));
      expect(x25519SharedSecret(a, x25519.getPublicKey(peer))).toEqual(x25519SharedSecret(peer, x25519.getPublicKey(a)));
    }
    const a = new Uint8Array(randomBytes(32));
    // u = 0 and u = 1 are of small order: every secret gives the all-zero output.
    for (const u of [new Uint8Array(32), Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0))]) {
      expect(() => x25519.getSharedSecret(a, u)).toThrow();
      expect(() => x25519SharedSecret(a, u)).toThrow();
    }
    expect(() => x25519SharedSecret(a, new Uint8Array(31))).toThrow();
  });

  it('refuses secret keys of another length', () => {
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow();
    expect(() => x25519PublicKey(new Uint8Array(33))).toThrow();
    expect(() => ed25519Sign(new Uint8Array(1), new Uint8Array(64))).toThrow();
  });

  it('accepts what strict noble accepts and rejects what it rejects: altered message, flipped bits, other key, malleated S', () => {
    const sk = new Uint8Array(randomBytes(32));
    const pub = ed25519.getPublicKey(sk);
    const other = ed25519.getPublicKey(new Uint8Array(randomBytes(32)));
    const msg = new TextEncoder().encode('manifest bytes');
    const sig = ed25519.sign(msg, sk);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [sig, msg, pub],
      [sig, new TextEncoder().encode('manifest bytez'), pub],
      [sig, msg, other],
      [withS(sig, (s) => s + L), msg, pub],
      [sig.subarray(0, 63), msg, pub],
      [sig, msg, pub.subarray(0, 31)],
    ];
    for (let i = 0; i < 64; i += 5) {
      const flipped = Uint8Array.from(sig);
      flipped[i]! ^= 1;
      cases.push([flipped, msg, pub]);
    }
    for (let i = 0; i < 32; i += 5) {
      const flipped = Uint8Array.from(pub);
      flipped[i]! ^= 0x10;
      cases.push([sig, msg, flipped]);
    }
    for (const [s, m, p] of cases) {
      let reference = false;
      try {
        reference = ed25519.verify(s, m, p, { zip215: false });
      } catch {
        reference = false;
      }
      expect(ed25519Verify(s, m, p)).toBe(reference);
    }
    expect(ed25519Verify(sig, msg, pub)).toBe(true);
  });

  it('rejects small-order and non-canonical public keys, like strict RFC 8032', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const sig = new Uint8Array(64);
    sig[0] = 1;
    expect(ed25519Verify(sig, new Uint8Array(0), identity)).toBe(false);
    // y = p (non-canonical encoding of y = 0).
    const p = 2n ** 255n - 19n;
    const nonCanonical = new Uint8Array(32);
    let v = p;
    for (let i = 0; i < 32; i++) {
      nonCanonical[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    expect(ed25519Verify(sig, new Uint8Array(0), nonCanonical)).toBe(false);
  });

  it('rejects a key with a torsion component (at most stricter than noble, never laxer)', () => {
    const sk = new Uint8Array(randomBytes(32));
    const A = ed25519.Point.fromBytes(ed25519.getPublicKey(sk));
    // A point of order 8 added to the key: still a valid point, not torsion-free.
    const T = ed25519.Point.fromBytes(Uint8Array.from(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex')));
    expect(T.isSmallOrder()).toBe(true);
    const torsioned = A.add(T).toBytes();
    const msg = new Uint8Array([1, 2, 3]);
    const sig = ed25519.sign(msg, sk);
    expect(ed25519Verify(sig, msg, torsioned)).toBe(false);
  });
});
