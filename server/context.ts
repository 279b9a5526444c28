/**
 * What every route and job of the custody service shares.
 */
import type { Db } from './db/driver.js';
import type { IssuingKey } from './issuing-key.js';
import type { ServiceKey } from './service-key.js';

/** The service's dependencies. */
export interface ServiceContext {
  readonly db: Db;
  readonly serviceKey: ServiceKey;
  /** base64 Ed25519 public key of the provider root that signs station certificates; null disables enrolment. */
  readonly rootPublicKey: string | null;
  /** The issuing key that signs short-lived station certificates (issuing-key.ts); null: renewal answers 409 no-issuing-key. */
  readonly issuing: IssuingKey | null;
  /** Life of the station certificates the service issues, in days (capped by the issuing certificate). */
  readonly stationCertificateDays: number;
  /** The transparency log's origin: first line of its checkpoints and name of its note key. */
  readonly logOrigin: string;
  /** The clock (a seam for tests). */
  readonly now: () => Date;
}
