import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyOf } from './event.js';
import { parseCheckpoint, parseReceipt, serviceKeyIdOf, signServiceObject, verifyServiceSignature } from './receipt.js';
import { testSecretKey } from './testing.js';

const secret = testSecretKey('service');
const pub = publicKeyOf(secret);
const oldPub = publicKeyOf(testSecretKey('old service'));
const base = {
  eventId: '01956a8e-5c3b-7d2a-9f10-4e7a2b9c0d11',
  eventHash: 'ab'.repeat(32),
  receivedAt: '2025-03-01T15:00:00.000Z',
  leafIndex: 4,
  serviceKeyId: serviceKeyIdOf(pub),
};

describe('service signatures', () => {
  it('key id is the first 16 hex of SHA-256 of the raw key', () => {
    expect(serviceKeyIdOf(pub)).toBe(createHash('sha256').update(Buffer.from(pub, 'base64')).digest('hex').slice(0, 16));
  });
  it('verifies receipts over every field but signature, including fields added later', () => {
    const r = parseReceipt(signServiceObject({ ...base, extra: 'future' }, secret));
    expect(r).toHaveProperty('extra', 'future');
    expect(verifyServiceSignature(r, [oldPub, pub])).toBe(true);
    const changed = { ...r, leafIndex: 5 };
    expect(verifyServiceSignature(changed, [pub])).toBe(false);
    const { extra: _e, ...withoutExtra } = r;
    expect(verifyServiceSignature(withoutExtra, [pub])).toBe(false);
  });
  it('only tries the key named by serviceKeyId', () => {
    const r = signServiceObject({ ...base, serviceKeyId: serviceKeyIdOf(oldPub) }, secret);
    expect(verifyServiceSignature(r, [pub, oldPub])).toBe(false);
  });
  it('checkpoints without a key id are tried against every key', () => {
    const cp = parseCheckpoint(signServiceObject({ treeSize: 3, rootHash: 'cd'.repeat(32), timestamp: '2025-03-01T15:00:00Z' }, secret));
    expect(verifyServiceSignature(cp, [oldPub, pub])).toBe(true);
    expect(verifyServiceSignature(cp, [oldPub])).toBe(false);
  });
  it('rejects malformed receipts with E_CUSTODY_SYNC', () => {
    expect(() => parseReceipt({ ...base, leafIndex: -1, signature: 'x' })).toThrow(expect.objectContaining({ code: 'E_CUSTODY_SYNC' }));
  });
});
