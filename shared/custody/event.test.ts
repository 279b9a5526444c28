import { createHash, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isScelleError } from '../errors/scelle-error.js';
import { customerPublicKey, deriveCustomerKey } from './customer-key.js';
import {
  decodeBase64Strict,
  eventHash,
  eventSigningBytes,
  lineageOf,
  makeEvent,
  newEventId,
  parseSignedEvent,
  signEvent,
  uuidV7Time,
  verifyEventSignature,
  type SignedEvent,
} from './event.js';
import { parseEventData } from './event-data.js';
import { buildTestChain, testAuthor } from './testing.js';

function expectCode(fn: () => unknown, code: string, field?: string): void {
  try {
    fn();
  } catch (e) {
    expect(isScelleError(e)).toBe(true);
    if (isScelleError(e)) {
      expect(e.code).toBe(code);
      if (field !== undefined) expect(e.details['field']).toBe(field);
    }
    return;
  }
  throw new Error(`expected ${code}`);
}

const chain = buildTestChain();
const sealed = chain.provider[0] as SignedEvent;
const verified = chain.provider[1] as SignedEvent;

describe('signEvent / verifyEventSignature', () => {
  it('verifies a freshly signed event and rejects any change', () => {
    expect(verifyEventSignature(sealed)).toBe(true);
    expect(verifyEventSignature({ ...sealed, seq: 1 })).toBe(false);
    expect(verifyEventSignature({ ...sealed, data: { ...sealed.data, files: 4 } })).toBe(false);
    expect(verifyEventSignature({ ...sealed, author: { ...sealed.author, id: 'station-qc-02' } })).toBe(false);
  });

  it('signs exactly the RFC 8785 bytes of the event without sig', () => {
    const expected = JSON.stringify({
      at: sealed.at,
      author: { id: sealed.author.id, kind: 'station', publicKey: sealed.author.publicKey },
      data: {
        bytes: 12345,
        customerPublicKey: sealed.data['customerPublicKey'],
        files: 3,
        manifestSha256: chain.manifestSha256,
        parts: 1,
        stationCertificateSha256: 'ab'.repeat(32),
      },
      driveId: 'D7K2M9Q4',
      id: sealed.id,
      prev: null,
      seq: 0,
      type: 'sealed',
      v: 1,
    });
    expect(new TextDecoder().decode(eventSigningBytes(sealed))).toBe(expected);
    const sig = decodeBase64Strict(sealed.sig, 64);
    const pub = decodeBase64Strict(sealed.author.publicKey, 32);
    expect(sig && pub && ed25519.verify(sig, new TextEncoder().encode(expected), pub)).toBe(true);
  });

  it('refuses to sign with a key that is not the author key', () => {
    const other = testAuthor('station', 'other');
    expectCode(() => signEvent(verified, other.secretKey), 'E_CUSTODY_SIGNATURE');
  });

  it('does not sign stray in-memory properties', () => {
    const withExtra = { ...verified, uiState: 'x' } as SignedEvent;
    const resigned = signEvent(withExtra, chain.station.secretKey);
    expect(Object.keys(resigned)).not.toContain('uiState');
    expect(resigned.sig).toBe(verified.sig); // Ed25519 is deterministic
  });

  it('rejects a non-canonical signature encoding (S + L) so each event has one hash', () => {
    const sig = decodeBase64Strict(sealed.sig, 64) as Uint8Array;
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i] ?? 0);
    let s2 = s + L;
    const mall = new Uint8Array(sig);
    for (let i = 0; i < 32; i++) {
      mall[32 + i] = Number(s2 & 0xffn);
      s2 >>= 8n;
    }
    expect(verifyEventSignature({ ...sealed, sig: Buffer.from(mall).toString('base64') })).toBe(false);
  });

  it('returns false, never throws, on garbage keys and signatures', () => {
    expect(verifyEventSignature({ ...sealed, sig: 'not base64' })).toBe(false);
    expect(verifyEventSignature({ ...sealed, author: { ...sealed.author, publicKey: 'AAAA' } })).toBe(false);
  });
});

describe('eventHash', () => {
  it('is SHA-256 of the canonical signed event, independent of key order', () => {
    const reordered = Object.fromEntries(Object.entries(verified).reverse()) as unknown as SignedEvent;
    expect(Object.keys(reordered)[0]).toBe('sig');
    const withSig = JSON.stringify({
      at: verified.at,
      author: { id: verified.author.id, kind: 'station', publicKey: verified.author.publicKey },
      data: { level: 'full', ok: true, problems: 0 },
      driveId: verified.driveId,
      id: verified.id,
      prev: verified.prev,
      seq: 1,
      sig: verified.sig,
      type: 'verified',
      v: 1,
    });
    expect(eventHash(reordered)).toBe(createHash('sha256').update(withSig).digest('hex'));
    expect(eventHash(verified)).toMatch(/^[0-9a-f]{64}$/);
    expect(verified.prev).toBe(eventHash(sealed));
  });
  it('changes when the signature changes', () => {
    const other = { ...verified, sig: sealed.sig };
    expect(eventHash(other)).not.toBe(eventHash(verified));
  });
});

describe('parseSignedEvent', () => {
  it('accepts every event of a valid chain after a JSON round trip', () => {
    for (const e of chain.all) expect(parseSignedEvent(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });
  it('rejects unknown top-level keys', () => expectCode(() => parseSignedEvent({ ...sealed, extra: 1 }), 'E_CUSTODY_CHAIN'));
  it('rejects personal data in data (strict schemas)', () => {
    const shipped = chain.provider[2] as SignedEvent;
    expectCode(() => parseSignedEvent({ ...shipped, data: { ...shipped.data, recipientName: 'Marie Tremblay' } }), 'E_CUSTODY_CHAIN');
  });
  it('rejects an uppercase or non-v7 id', () => {
    expectCode(() => parseSignedEvent({ ...sealed, id: sealed.id.toUpperCase() }), 'E_CUSTODY_CHAIN', 'id');
    expectCode(() => parseSignedEvent({ ...sealed, id: '0195a000-0000-4000-8000-000000000000' }), 'E_CUSTODY_CHAIN', 'id');
  });
  it('enforces seq 0 ⇔ prev null', () => {
    expectCode(() => parseSignedEvent({ ...sealed, prev: 'aa'.repeat(32) }), 'E_CUSTODY_CHAIN', 'prev');
    expectCode(() => parseSignedEvent({ ...verified, prev: null }), 'E_CUSTODY_CHAIN', 'prev');
  });
  it('enforces who may author which type', () => {
    const received = chain.customerEvents[0] as SignedEvent;
    expectCode(() => parseSignedEvent({ ...received, author: sealed.author }), 'E_CUSTODY_CHAIN', 'type');
    expectCode(() => parseSignedEvent({ ...verified, type: 'sealed', data: sealed.data }), 'E_CUSTODY_CHAIN', 'type');
  });
  it('requires the anchor on the first customer event only', () => {
    const received = chain.customerEvents[0] as SignedEvent;
    const opened = chain.customerEvents[1] as SignedEvent;
    const { anchor: _a, ...noAnchor } = received.data;
    expectCode(() => parseSignedEvent({ ...received, data: noAnchor }), 'E_CUSTODY_CHAIN', 'data.anchor');
    expectCode(() => parseSignedEvent({ ...opened, data: { ...opened.data, anchor: chain.manifestSha256 } }), 'E_CUSTODY_CHAIN', 'data.anchor');
  });
  it('rejects non-UTC or impossible times', () => {
    expectCode(() => parseSignedEvent({ ...sealed, at: '2025-03-01T10:00:00-04:00' }), 'E_CUSTODY_CHAIN', 'at');
    expectCode(() => parseSignedEvent({ ...sealed, at: '2025-02-30T25:00:00Z' }), 'E_CUSTODY_CHAIN', 'at');
  });
  it('rejects non-objects', () => expectCode(() => parseSignedEvent('x'), 'E_CUSTODY_CHAIN'));
});

describe('event data', () => {
  const erased = chain.customerEvents[2] as SignedEvent;
  it('enforces NIST 800-88 consistency for erased', () => {
    expectCode(() => parseEventData('erased', { ...erased.data, anchor: undefined, method: 'clear' }), 'E_CUSTODY_CHAIN', 'data.method');
    expectCode(() => parseEventData('erased', { ...erased.data, verification: { method: 'none', result: 'pass' } }), 'E_CUSTODY_CHAIN', 'data.verification.result');
  });
  it('rejects a note carrying text instead of a record reference', () => {
    expectCode(() => parseEventData('note', { noteRef: 'n-1', text: 'called Mme Tremblay' }), 'E_CUSTODY_CHAIN');
    expect(parseEventData('note', { noteRef: 'n-1' })).toEqual({ noteRef: 'n-1' });
  });
  it('requires normalized tracking numbers', () => {
    expectCode(() => parseEventData('shipped', { carrier: 'ups', trackingNumber: '1z 999' }), 'E_CUSTODY_CHAIN', 'data.trackingNumber');
  });
  it('makeEvent validates what it builds', () => {
    expectCode(
      () => makeEvent({ type: 'verified', driveId: 'D1', seq: 1, prev: null, author: chain.station.author, data: { level: 'full', ok: true, problems: 0 } }),
      'E_CUSTODY_CHAIN',
    );
  });
});

describe('lineageOf', () => {
  it('is customer only for customer authors', () => {
    expect(chain.all.map(lineageOf)).toEqual(['provider', 'provider', 'provider', 'provider', 'customer', 'customer', 'customer']);
  });
});

describe('newEventId', () => {
  it('encodes the time and sets version and variant bits', () => {
    const now = new Date('2025-03-01T14:05:09.123Z');
    const id = newEventId(now, (n) => new Uint8Array(n).fill(0xff));
    expect(id).toBe(
      `${now
        .getTime()
        .toString(16)
        .padStart(12, '0')
        .replace(/^(.{8})(.{4})$/, '$1-$2')}-7fff-bfff-ffffffffffff`,
    );
    expect(uuidV7Time(id)).toBe(now.getTime());
    const zero = newEventId(now, (n) => new Uint8Array(n));
    expect(zero.endsWith('-7000-8000-000000000000')).toBe(true);
  });
  it('gives distinct ids in the same millisecond', () => {
    const now = new Date();
    expect(new Set(Array.from({ length: 100 }, () => newEventId(now))).size).toBe(100);
  });
  it('rejects an invalid date', () => expectCode(() => newEventId(new Date(Number.NaN)), 'E_USAGE'));
});

describe('customer key', () => {
  const dataKey = new Uint8Array(32).map((_, i) => i);
  it('is HKDF-SHA256(dataKey, empty salt, info with drive id) as an Ed25519 seed', () => {
    const seed = new Uint8Array(hkdfSync('sha256', dataKey, new Uint8Array(0), 'scelle/1 custody customer D1', 32));
    const k = deriveCustomerKey(dataKey, 'D1');
    expect(Buffer.from(k.secretKey).equals(Buffer.from(seed))).toBe(true);
    expect(k.publicKey).toBe(Buffer.from(ed25519.getPublicKey(seed)).toString('base64'));
    expect(k.authorId).toBe('customer:D1');
    expect(customerPublicKey(dataKey, 'D1')).toBe(k.publicKey);
  });
  it('differs per drive and per data key', () => {
    expect(customerPublicKey(dataKey, 'D1')).not.toBe(customerPublicKey(dataKey, 'D2'));
    expect(customerPublicKey(new Uint8Array(32), 'D1')).not.toBe(customerPublicKey(dataKey, 'D1'));
  });
  it('rejects a data key of the wrong size', () => expectCode(() => deriveCustomerKey(new Uint8Array(16), 'D1'), 'E_USAGE'));
});
