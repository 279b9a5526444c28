import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { decodeBase64Strict, encodeBase64, eventSigningBytes, signEvent, verifyEventSignature, type SignedEvent } from './event.js';
import { buildTestChain } from './testing.js';

/** The reference: @noble/curves, strict RFC 8032 (no ZIP 215), over the event's signing bytes. */
function strictNoble(e: SignedEvent): boolean {
  const pub = decodeBase64Strict(e.author.publicKey, 32);
  const sig = decodeBase64Strict(e.sig, 64);
  if (!pub || !sig) return false;
  try {
    return ed25519.verify(sig, eventSigningBytes(e), pub, { zip215: false });
  } catch {
    return false;
  }
}

// The custody service checks every event it ingests and stores with this function (node:crypto
// through shared/format/curves-native.ts); it must agree with the strict reference.
describe('verifyEventSignature agrees with the strict reference verifier', () => {
  const chain = buildTestChain('DRIVE-SIG');

  it('accepts every valid event of a chain', () => {
    for (const e of chain.all) {
      expect(strictNoble(e)).toBe(true);
      expect(verifyEventSignature(e)).toBe(true);
    }
  });

  it('rejects what the reference rejects: altered fields, swapped or bit-flipped signatures, wrong keys', () => {
    const e = chain.provider[0] as SignedEvent;
    const sig = Buffer.from(e.sig, 'base64');
    const cases: SignedEvent[] = [
      { ...e, seq: 1 },
      { ...e, data: { ...e.data, files: 4 } },
      { ...e, sig: (chain.provider[1] as SignedEvent).sig },
      { ...e, author: { ...e.author, publicKey: chain.staff.author.publicKey } },
      { ...e, sig: e.sig.replace(/.$/, 'A') },
      { ...e, author: { ...e.author, publicKey: 'AAAA' } },
    ];
    for (let i = 0; i < 64; i += 7) {
      const flipped = Buffer.from(sig);
      flipped[i] = (flipped[i] ?? 0) ^ 1;
      cases.push({ ...e, sig: flipped.toString('base64') });
    }
    for (const c of cases) {
      expect(verifyEventSignature(c)).toBe(strictNoble(c));
      expect(verifyEventSignature(c)).toBe(false);
    }
  });

  it('rejects a non-canonical S (s + L), like strict RFC 8032', () => {
    const e = chain.provider[1] as SignedEvent;
    const sig = Buffer.from(e.sig, 'base64');
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i] ?? 0);
    const big = s + L;
    const out = Buffer.from(sig);
    let v = big;
    for (let i = 0; i < 32; i++) {
      out[32 + i] = Number(v & 0xffn);
      v >>= 8n;
    }
    const malleated = { ...e, sig: out.toString('base64') };
    expect(strictNoble(malleated)).toBe(false);
    expect(verifyEventSignature(malleated)).toBe(false);
  });

  it('rejects small-order public keys (e.g. the identity point) that could sign anything', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const e = chain.provider[0] as SignedEvent;
    const forged = { ...e, author: { ...e.author, publicKey: encodeBase64(identity) }, sig: encodeBase64(new Uint8Array([1, ...new Uint8Array(63)])) };
    expect(strictNoble(forged)).toBe(false);
    expect(verifyEventSignature(forged)).toBe(false);
  });

  it('agrees on freshly signed random events', () => {
    for (let i = 0; i < 20; i++) {
      const sk = ed25519.utils.randomSecretKey();
      const pub = encodeBase64(ed25519.getPublicKey(sk));
      const base = chain.provider[2] as SignedEvent;
      const signed = signEvent({ ...base, author: { ...base.author, publicKey: pub } }, sk);
      expect(strictNoble(signed)).toBe(true);
      expect(verifyEventSignature(signed)).toBe(true);
    }
  });
});
