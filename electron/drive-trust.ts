/**
 * What a drive's origin is worth in the app (shared/format/station-trust.ts), judged in the main
 * process with what this machine holds: the provider's revocation list cached in the app's data
 * folder (refreshed from the custody service's public `GET /v1/revocations`, never rolled back)
 * and, when the local custody journal holds the drive's `sealed` event with the service's
 * receipt, the service's receive time of that event.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DriveInfo } from '../shared/engine/api.js';
import type { CustodyStore } from '../shared/custody/journal.js';
import { httpsFetchWithCa, retryIdempotentOnReset, type FetchLike } from '../shared/custody/http.js';
import { sealedReceiptTime } from '../shared/custody/sealed-receipt.js';
import { decodeBase64 } from '../shared/format/base64.js';
import { newerRevocationList, verifyRevocationList, type RevocationList } from '../shared/format/revocation.js';
import { judgeStation, type StationJudgement } from '../shared/format/station-trust.js';
import type { SettingsStore } from './ports.js';

/**
 * GETs JSON from the custody service the way the sync client reaches it: through the
 * enrolment's CA when one is configured, else Node's fetch. Rejects on a status other than 200.
 */
export async function fetchCustodyJson(url: string, caPath: string | null): Promise<unknown> {
  const get: FetchLike = caPath ? httpsFetchWithCa(readFileSync(caPath, 'utf8')) : (u, init) => fetch(u, init);
  const res = await retryIdempotentOnReset(get)(url, { method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}`);
  return JSON.parse(await res.text()) as unknown;
}

/** Judges drives' origins for the Client workspace (see module doc). */
export class DriveTrust {
  private readonly roots: Uint8Array[];

  constructor(
    pinnedRoots: readonly string[],
    private readonly settings: SettingsStore,
    private readonly journal: () => Promise<CustodyStore>,
    private readonly revocationsFile: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.roots = pinnedRoots.map((r) => decodeBase64(r, 32)).filter((k): k is Uint8Array => k !== null);
  }

  /** The cached revocation list, or none (a damaged or foreign cache is logged and not used). */
  revocations(): RevocationList[] {
    if (!existsSync(this.revocationsFile)) return [];
    try {
      return [verifyRevocationList(JSON.parse(readFileSync(this.revocationsFile, 'utf8')), this.roots)];
    } catch (e) {
      this.log(`revocation list cache refused: ${(e as Error).message}`);
      return [];
    }
  }

  /**
   * Fetches the custody service's revocation list with `fetchJson` and caches it when it checks
   * against the pinned roots and is not older than the cache.
   * @throws ScelleError E_REVOCATION_LIST; whatever `fetchJson` throws.
   */
  async refresh(fetchJson: (url: string) => Promise<unknown>): Promise<RevocationList | null> {
    const { custodyUrl } = await this.settings.get();
    if (!custodyUrl) return null;
    const fetched = verifyRevocationList(await fetchJson(new URL('/v1/revocations', custodyUrl).href), this.roots);
    const kept = newerRevocationList(this.revocations()[0] ?? null, fetched);
    writeFileSync(`${this.revocationsFile}.tmp`, `${JSON.stringify(kept)}\n`);
    renameSync(`${this.revocationsFile}.tmp`, this.revocationsFile);
    return kept;
  }

  /** The service's receive time of the drive's `sealed` event from the local journal, or null. */
  async sealedReceivedAt(info: DriveInfo): Promise<Date | null> {
    const { serviceKeys } = await this.settings.secrets();
    if (serviceKeys.length === 0) return null;
    const store = await this.journal();
    const sealed = store.eventsForDrive(info.driveId).find((e) => e.type === 'sealed' && e.seq === 0);
    const receipt = sealed ? store.receiptFor(sealed.id) : undefined;
    if (!sealed || !receipt) return null;
    return sealedReceiptTime(sealed, receipt, serviceKeys, { driveId: info.driveId, manifestSha256: info.manifestSha256, stationPublicKey: info.station.publicKey });
  }

  /** The verdict on `info`'s origin. Never throws: what cannot be read counts as not held. */
  async judge(info: DriveInfo): Promise<StationJudgement> {
    const sealedReceivedAt = await this.sealedReceivedAt(info).catch((e: unknown) => {
      this.log(`custody journal unreadable for the drive's verdict: ${(e as Error).message}`);
      return null;
    });
    return judgeStation({
      station: { id: info.station.id, publicKey: info.station.publicKey, certificate: info.station.certificate, issuingCertificate: info.station.issuingCertificate },
      createdAt: info.createdAt,
      pinnedRoots: this.roots,
      revocations: this.revocations(),
      sealedReceivedAt,
    });
  }
}
