/**
 * Receipts and checkpoints as signed by the service (docs/CUSTODY.md §5):
 * `signature = base64 Ed25519(serviceKey, JCS(object without "signature"))`.
 */
import type { ServiceKey } from '../service-key.js';
import { num, type Row } from '../db/driver.js';

/** The service's signed acknowledgement of one stored event. */
export interface Receipt {
  eventId: string;
  eventHash: string;
  /** the service's receive time, RFC 3339 UTC: the trusted time of the event */
  receivedAt: string;
  /** position of the event's leaf in the Merkle tree */
  leafIndex: number;
  serviceKeyId: string;
  signature: string;
}

/** A signed tree head: the tree of the first `treeSize` leaves has root `rootHash`. */
export interface Checkpoint {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  serviceKeyId: string;
  signature: string;
}

/** Signs a receipt. @throws E_CUSTODY_CHAIN only on a non-canonicalizable field (never for valid input). */
export function signReceipt(key: ServiceKey, r: Omit<Receipt, 'signature' | 'serviceKeyId'>): Receipt {
  return key.signObject({ eventId: r.eventId, eventHash: r.eventHash, receivedAt: r.receivedAt, leafIndex: r.leafIndex, serviceKeyId: key.keyId });
}

/** Signs a checkpoint. Never throws for valid input. */
export function signCheckpoint(key: ServiceKey, treeSize: number, rootHash: string, timestamp: string): Checkpoint {
  return key.signObject({ treeSize, rootHash, timestamp, serviceKeyId: key.keyId });
}

/** The receipt of a stored `events` row (columns id, event_hash, received_at, leaf_index, receipt_key_id, receipt_signature). */
export function receiptOfRow(r: Row): Receipt {
  return {
    eventId: String(r['id']),
    eventHash: String(r['event_hash']),
    receivedAt: String(r['received_at']),
    leafIndex: num(r['leaf_index']),
    serviceKeyId: String(r['receipt_key_id']),
    signature: String(r['receipt_signature']),
  };
}
