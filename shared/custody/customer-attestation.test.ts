import { describe, expect, it } from 'vitest';
import { wrapForX25519, unwrapKeyslots } from '../format/keyslot.js';
import { staticTrust, verifyChain } from './chain-verify.js';
import { customerIdentityAuthor, customerRecipientKey, customerUnwrapKey, generateCustomerIdentity, type CustomerIdentity } from './customer-identity.js';
import type { SignedEvent } from './event.js';
import { buildTestChain, testAuthor, testCustomer, testNext, testSecretKey, type TestAuthor } from './testing.js';

const DRIVE = 'CK7Q2M4X';
const start = new Date('2025-03-01T14:00:00.000Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
const manifestSha256 = 'cd'.repeat(32);
const station = testAuthor('station', 'station-qc-01');
const trust = staticTrust({ stations: [station.author.publicKey] });

/** A drive sealed for a customer key: the sealed event names the customer's own key. */
function customerKeyDrive(identity: CustomerIdentity): { sealed: SignedEvent; shipped: SignedEvent; customer: TestAuthor } {
  const customer: TestAuthor = { author: customerIdentityAuthor(DRIVE, identity.publicKey), secretKey: identity.secretKey };
  const sealed = testNext(
    station,
    DRIVE,
    null,
    'sealed',
    {
      manifestSha256,
      files: 1,
      bytes: 10,
      parts: 1,
      customerPublicKey: customer.author.publicKey,
      customerAttestation: 'customer-key',
      stationCertificateSha256: 'ab'.repeat(32),
    },
    at(0),
  );
  const shipped = testNext(station, DRIVE, sealed, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, at(10));
  return { sealed, shipped, customer };
}

describe('customer keys: who can sign as the customer', () => {
  const identity = generateCustomerIdentity();
  const { sealed, shipped, customer } = customerKeyDrive(identity);

  it('marks genuine customer-key events as customer-attested', () => {
    const received = testNext(customer, DRIVE, null, 'received', { anchor: manifestSha256, level: 'full', ok: true, problems: 0 }, at(100));
    const opened = testNext(customer, DRIVE, received, 'opened', { ok: true, filesRestored: 1, partial: false }, at(101));
    const r = verifyChain([sealed, shipped, received, opened], trust);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.customerAttestation).toBe('customer-key');
    expect(r.events.map((e) => e.attestation)).toEqual([null, null, 'customer-key', 'customer-key']);
  });

  it('flags a "received" forged by an insider who holds the data key as not customer-attested', () => {
    // The station (or an escrow holder) knows the data key, so it can derive the data-key customer key.
    const insider = testCustomer(testSecretKey(`data key ${DRIVE}`), DRIVE);
    const forged = testNext(insider, DRIVE, null, 'received', { anchor: manifestSha256, level: 'full', ok: true, problems: 0 }, at(100));
    const r = verifyChain([sealed, shipped, forged], trust);
    expect(r.ok).toBe(false);
    expect(r.status).toBe('invalid');
    expect(r.problems.map((p) => [p.code, p.eventId])).toEqual([['wrong-author', forged.id]]);
    expect(r.problems[0]?.message).toMatch(/own key/);
    expect(r.events[2]).toMatchObject({ status: 'invalid', attestation: 'none' });
  });

  it('flags a "received" signed with another customer key as not customer-attested', () => {
    const other = customerKeyDrive(generateCustomerIdentity()).customer;
    const forged = testNext(other, DRIVE, null, 'received', { anchor: manifestSha256, level: 'full', ok: true, problems: 0 }, at(100));
    const r = verifyChain([sealed, shipped, forged], trust);
    expect(r.events[2]).toMatchObject({ status: 'invalid', codes: ['wrong-author'], attestation: 'none' });
  });

  it('marks the events of an unlock-code drive (no customer key) as data-key-attested', () => {
    const c = buildTestChain();
    const trustC = staticTrust({ stations: [c.station.author.publicKey], staff: [c.staff.author.publicKey] });
    const r = verifyChain(c.all, trustC);
    expect(r.ok).toBe(true);
    expect(r.customerAttestation).toBe('data-key');
    expect(r.events.filter((e) => e.lineage === 'customer').map((e) => e.attestation)).toEqual(['data-key', 'data-key', 'data-key']);
    expect(r.events.filter((e) => e.lineage === 'provider').every((e) => e.attestation === null)).toBe(true);
  });

  it('cannot tell attestation without an authentic sealed event', () => {
    const received = testNext(customer, DRIVE, null, 'received', { anchor: manifestSha256, level: 'full', ok: true, problems: 0 }, at(100));
    const r = verifyChain([received], trust);
    expect(r.customerAttestation).toBeNull();
    expect(r.events[0]?.attestation).toBe('none');
  });
});

describe('customer identity: one Ed25519 key, its X25519 image opens the keyslot', () => {
  it('wraps the data key for the customer and only the customer key opens it', async () => {
    const identity = generateCustomerIdentity();
    const dataKey = testSecretKey('customer keyslot data key');
    const slot = wrapForX25519(dataKey, customerRecipientKey(identity.publicKey), DRIVE, 'customer-key');
    expect(await unwrapKeyslots([slot], { kind: 'x25519', secretKey: customerUnwrapKey(identity) }, DRIVE)).toEqual(dataKey);
    await expect(unwrapKeyslots([slot], { kind: 'x25519', secretKey: customerUnwrapKey(generateCustomerIdentity()) }, DRIVE)).rejects.toMatchObject({ code: expect.any(String) });
  });

  it('refuses bytes that are not an Ed25519 public key', () => {
    expect(() => customerRecipientKey(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('a customer machine without the provider lineage', () => {
  const c = buildTestChain();
  const trustC = staticTrust({ stations: [c.station.author.publicKey], staff: [c.staff.author.publicKey] });

  it('is "not yet known" (a warning, no problem) when the caller says the provider lineage may be unavailable', () => {
    const r = verifyChain(c.customerEvents, trustC, { expectProviderLineage: false });
    expect(r.problems).toEqual([]);
    expect(r.providerLineage).toBe('not-yet-known');
    expect(r.status).toBe('warning');
    expect(r.ok).toBe(false);
    expect(r.events.map((e) => e.attestation)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('still reports a broken customer lineage while the provider lineage is not yet known', () => {
    const [received, , erased] = c.customerEvents as [SignedEvent, SignedEvent, SignedEvent];
    const r = verifyChain([received, erased], trustC, { expectProviderLineage: false });
    expect(r.problems.map((p) => [p.code, p.eventId])).toEqual([['gap', erased.id]]);
    expect(r.status).toBe('invalid');
  });

  it('is invalid (missing-genesis, unknown-key) by default', () => {
    const r = verifyChain(c.customerEvents, trustC);
    expect(r.providerLineage).toBe('missing');
    expect(r.status).toBe('invalid');
    expect(r.problems.map((p) => p.code)).toContain('missing-genesis');
  });

  it('verifies fully once merged with the service copy', () => {
    const r = verifyChain([...c.customerEvents, ...c.provider], trustC, { expectProviderLineage: false, checkOrder: false });
    expect(r.providerLineage).toBe('present');
    expect(r.ok).toBe(true);
    expect(r.events.filter((e) => e.lineage === 'customer').map((e) => e.attestation)).toEqual(['data-key', 'data-key', 'data-key']);
  });
});

describe('the sealed event says who can sign as the customer', () => {
  it('accepts customer-key and data-key, rejects anything else', async () => {
    const { sealedDataSchema } = await import('./event-data.js');
    const base = { manifestSha256, files: 1, bytes: 1, parts: 1, customerPublicKey: station.author.publicKey, stationCertificateSha256: 'ab'.repeat(32) };
    expect(sealedDataSchema.safeParse({ ...base, customerAttestation: 'customer-key' }).success).toBe(true);
    expect(sealedDataSchema.safeParse({ ...base, customerAttestation: 'data-key' }).success).toBe(true);
    expect(sealedDataSchema.safeParse(base).success).toBe(true);
    expect(sealedDataSchema.safeParse({ ...base, customerAttestation: 'station' }).success).toBe(false);
  });
});
