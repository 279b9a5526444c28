/**
 * The trusted time of a drive's sealing: the custody service's receive time of the drive's
 * `sealed` event, taken from a receipt whose service signature checks against the pinned
 * service keys. The manifest's `createdAt` is chosen by whoever signed the manifest, so it
 * cannot say whether a station certificate was valid when the drive was made; a receipt can.
 */
import type { Receipt } from './receipt.js';
import { verifyServiceSignature } from './receipt.js';
import { eventHash, verifyEventSignature, type SignedEvent } from './event.js';

/**
 * The receive time of `sealed` by the service, or null when the pair does not prove it: not a
 * `sealed` event of this drive's manifest and station, a bad event signature, a receipt for
 * another event, or a receipt not signed by one of `serviceKeys`. Never throws.
 */
export function sealedReceiptTime(
  sealed: SignedEvent,
  receipt: Receipt,
  serviceKeys: readonly string[],
  drive: { driveId: string; manifestSha256: string; stationPublicKey: string },
): Date | null {
  if (sealed.type !== 'sealed' || sealed.driveId !== drive.driveId || sealed.seq !== 0) return null;
  if (sealed.data.manifestSha256 !== drive.manifestSha256 || sealed.author.kind !== 'station' || sealed.author.publicKey !== drive.stationPublicKey) return null;
  if (!verifyEventSignature(sealed)) return null;
  if (receipt.eventId !== sealed.id || receipt.eventHash !== eventHash(sealed)) return null;
  if (!verifyServiceSignature(receipt, serviceKeys)) return null;
  const t = new Date(receipt.receivedAt);
  return Number.isNaN(t.getTime()) ? null : t;
}
