/**
 * What a drive's origin is worth on this machine (shared/format/station-trust.ts): judged with
 * the provider's revocation list cached in `<home>/revocations.json` and, when this machine's
 * custody journal holds the drive's `sealed` event with the service's receipt, the service's
 * receive time of that event instead of the manifest's own date.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedDrive } from '../shared/engine/drive.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { sealedReceiptTime } from '../shared/custody/sealed-receipt.js';
import { newerRevocationList, verifyRevocationList, type RevocationList } from '../shared/format/revocation.js';
import { judgeStation, type StationJudgement } from '../shared/format/station-trust.js';
import { custodyDir, withCustodyStore } from './custody.js';
import { scelleHome } from './config.js';

/** Path of the cached revocation list. */
export function revocationsPath(home: string = scelleHome()): string {
  return join(home, 'revocations.json');
}

/**
 * The cached revocation list, checked against the pinned roots; none when absent.
 * @throws ScelleError E_REVOCATION_LIST when the cache is damaged or not from a pinned root:
 *   a verdict must not silently ignore revocations it was meant to apply.
 */
export function cachedRevocations(pinnedRoots: readonly Uint8Array[], home: string = scelleHome()): RevocationList[] {
  const p = revocationsPath(home);
  if (!existsSync(p)) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    throw new ScelleError('E_REVOCATION_LIST', `${p} is not JSON`, { problem: 'malformed' });
  }
  return [verifyRevocationList(doc, pinnedRoots)];
}

/**
 * Checks a revocation list and caches it, unless the cache already holds a newer one from the
 * same root. Returns what is cached afterwards.
 * @throws ScelleError E_REVOCATION_LIST (malformed, unknown-root, bad-signature, rollback).
 */
export function storeRevocations(doc: unknown, pinnedRoots: readonly Uint8Array[], home: string = scelleHome()): RevocationList {
  const fetched = verifyRevocationList(doc, pinnedRoots);
  const cached = cachedRevocations(pinnedRoots, home)[0] ?? null;
  const kept = newerRevocationList(cached, fetched);
  const p = revocationsPath(home);
  writeFileSync(`${p}.tmp`, `${JSON.stringify(kept)}\n`, { mode: 0o644 });
  renameSync(`${p}.tmp`, p);
  return kept;
}

/** The service's receive time of the drive's `sealed` event from this machine's journal (receipts checked against `serviceKeys`), or null. */
async function journalSealedTime(drive: LoadedDrive, serviceKeys: readonly string[], home: string): Promise<Date | null> {
  if (serviceKeys.length === 0 || !existsSync(custodyDir(home))) return null;
  return withCustodyStore(async (store) => {
    const sealed = store.eventsForDrive(drive.info.driveId).find((e) => e.type === 'sealed' && e.seq === 0);
    const receipt = sealed ? store.receiptFor(sealed.id) : undefined;
    if (!sealed || !receipt) return null;
    return sealedReceiptTime(sealed, receipt, serviceKeys, {
      driveId: drive.info.driveId,
      manifestSha256: drive.info.manifestSha256,
      stationPublicKey: drive.manifest.station.publicKey,
    });
  }, home);
}

/**
 * Judges the origin of a loaded drive (see module doc); `serviceKeys` are the custody service's
 * keys this machine pins (custody.json). Throws as {@link cachedRevocations}.
 */
export async function judgeDrive(drive: LoadedDrive, pinnedRoots: readonly Uint8Array[], serviceKeys: readonly string[], home: string = scelleHome()): Promise<StationJudgement> {
  const revocations = cachedRevocations(pinnedRoots, home);
  const sealedReceivedAt = await journalSealedTime(drive, serviceKeys, home);
  const { id, publicKey, certificate, issuingCertificate } = drive.manifest.station;
  return judgeStation({
    station: { id, publicKey, certificate: certificate ?? null, issuingCertificate: issuingCertificate ?? null },
    createdAt: drive.manifest.createdAt,
    pinnedRoots,
    revocations,
    sealedReceivedAt,
  });
}
