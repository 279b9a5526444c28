/**
 * TEST-ONLY fixtures: deterministic keys and a well-formed example chain for one drive.
 * Nothing in production imports this module; the keys are public and worthless.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { deriveCustomerKey } from './customer-key.js';
import { eventHash, makeEvent, publicKeyOf, signEvent, type CustodyEvent, type SignedEvent } from './event.js';
import type { EventDataMap, EventType } from './event-data.js';

/** A deterministic 32-byte test key from a label (TEST ONLY). */
export function testSecretKey(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(`scelle test key ${label}`));
}

/** A test author with its secret key (TEST ONLY). */
export interface TestAuthor {
  author: CustodyEvent['author'];
  secretKey: Uint8Array;
}

/** A station or staff test author (TEST ONLY). */
export function testAuthor(kind: 'station' | 'staff', id: string): TestAuthor {
  const secretKey = testSecretKey(`${kind}:${id}`);
  return { author: { kind, id, publicKey: publicKeyOf(secretKey) }, secretKey };
}

/** The customer test author for a drive, derived from a test data key (TEST ONLY). */
export function testCustomer(dataKey: Uint8Array, driveId: string): TestAuthor {
  const k = deriveCustomerKey(dataKey, driveId);
  return { author: { kind: 'customer', id: k.authorId, publicKey: k.publicKey }, secretKey: k.secretKey };
}

/** Signs the next event of a lineage given its predecessor (TEST ONLY). */
export function testNext<T extends EventType>(who: TestAuthor, driveId: string, prevEvent: SignedEvent | null, type: T, data: EventDataMap[T], at: Date): SignedEvent {
  const e = makeEvent({ type, driveId, seq: prevEvent ? prevEvent.seq + 1 : 0, prev: prevEvent ? eventHash(prevEvent) : null, author: who.author, data, at });
  return signEvent(e, who.secretKey);
}

/** A full, valid example chain of one drive (TEST ONLY). */
export interface TestChain {
  driveId: string;
  dataKey: Uint8Array;
  manifestSha256: string;
  station: TestAuthor;
  staff: TestAuthor;
  customer: TestAuthor;
  /** sealed, verified, shipped, delivered */
  provider: SignedEvent[];
  /** received, opened, erased */
  customerEvents: SignedEvent[];
  all: SignedEvent[];
}

/** Builds a valid chain: provider sealed→verified→shipped→delivered, customer received→opened→erased (TEST ONLY). */
export function buildTestChain(driveId = 'D7K2M9Q4', start = new Date('2025-03-01T14:00:00.000Z')): TestChain {
  const dataKey = testSecretKey(`data key ${driveId}`);
  const manifestSha256 = Buffer.from(sha256(new TextEncoder().encode(`manifest ${driveId}`))).toString('hex');
  const station = testAuthor('station', 'station-qc-01');
  const staff = testAuthor('staff', 'staff-0042');
  const customer = testCustomer(dataKey, driveId);
  const t = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const sealed = testNext(
    station,
    driveId,
    null,
    'sealed',
    {
      manifestSha256,
      files: 3,
      bytes: 12345,
      parts: 1,
      customerPublicKey: customer.author.publicKey,
      stationCertificateSha256: 'ab'.repeat(32),
    },
    t(0),
  );
  const verified = testNext(station, driveId, sealed, 'verified', { level: 'full', ok: true, problems: 0 }, t(5));
  const shipped = testNext(station, driveId, verified, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' }, t(30));
  const delivered = testNext(staff, driveId, shipped, 'delivered', { carrierDeliveredAt: t(1440).toISOString() }, t(1500));
  const received = testNext(customer, driveId, null, 'received', { anchor: manifestSha256, level: 'media', ok: true, problems: 0 }, t(1460));
  const opened = testNext(customer, driveId, received, 'opened', { ok: true, filesRestored: 3, partial: false }, t(1470));
  const erased = testNext(
    customer,
    driveId,
    opened,
    'erased',
    {
      method: 'purge',
      technique: 'cryptographic-erase',
      media: { type: 'flash', description: 'USB external SSD 1 TB' },
      tool: { name: 'scelle', version: '0.1.0' },
      verification: { method: 'full', result: 'pass' },
      performedBy: 'customer',
      performedAt: t(1480).toISOString(),
    },
    t(1480),
  );
  const provider = [sealed, verified, shipped, delivered];
  const customerEvents = [received, opened, erased];
  return { driveId, dataKey, manifestSha256, station, staff, customer, provider, customerEvents, all: [...provider, ...customerEvents] };
}

/** A sealed set's members, each with its own provider chain sealed → verified → shipped (TEST ONLY). */
export interface TestSet {
  setId: string;
  driveIds: string[];
  station: TestAuthor;
  /** by position: [sealed, verified, shipped] of each member */
  chains: SignedEvent[][];
}

/**
 * Builds a set of `driveIds.length` members sealed by one station, each member's sealed event
 * naming the set (position, members, every drive id, 2 parts, 1000 tar bytes), then verified and
 * shipped with its own tracking number (TEST ONLY).
 */
export function buildTestSet(setId = 'SETQ4K2M', driveIds = ['M1A2B3C4', 'M2A2B3C4', 'M3A2B3C4'], start = new Date('2025-03-01T14:00:00.000Z')): TestSet {
  const station = testAuthor('station', 'station-qc-01');
  const trackings = ['1Z999AA10123456784', '1Z999AA10123456795', '1Z999AA10123456802'];
  const t = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
  const chains = driveIds.map((driveId, i) => {
    const customer = testCustomer(testSecretKey(`data key ${setId}`), driveId);
    const sealed = testNext(
      station,
      driveId,
      null,
      'sealed',
      {
        manifestSha256: Buffer.from(sha256(new TextEncoder().encode(`manifest ${driveId}`))).toString('hex'),
        files: 30,
        bytes: 2500,
        parts: 2 * driveIds.length,
        customerPublicKey: customer.author.publicKey,
        customerAttestation: 'data-key',
        stationCertificateSha256: 'ab'.repeat(32),
        set: { id: setId, position: i + 1, members: driveIds.length, driveIds: [...driveIds], parts: 2, tarBytes: 1000 },
      },
      t(i),
    );
    const verified = testNext(station, driveId, sealed, 'verified', { level: 'media', ok: true, problems: 0 }, t(10 + i));
    const shipped = testNext(station, driveId, verified, 'shipped', { carrier: 'ups', trackingNumber: trackings[i % trackings.length]! }, t(30 + i));
    return [sealed, verified, shipped];
  });
  return { setId, driveIds, station, chains };
}
