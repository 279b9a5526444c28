/**
 * Station identity and certificate types: a station signs manifests and custody events with
 * its Ed25519 key; its certificate is signed either by the provider's root key directly or by
 * an issuing key (held by the custody service) that the root certified with an issuing
 * certificate. One definition, re-exported by shared/engine/api.ts.
 */
import { z } from 'zod';
import { base64Bytes, printableId, rfc3339Utc } from './json-schemas.js';

/** The station identity that signs manifests and custody events. */
export interface StationIdentity {
  id: string;
  /** Ed25519 secret key (32-byte seed). Never logged. */
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** Certificate issued by the provider root or an issuing key, or null for a local, uncertified station. */
  certificate: StationCertificate | null;
  /** The issuing certificate of the key that signed `certificate`, when it is not a root (absent or null: signed by a root). */
  issuingCertificate?: IssuingCertificate | null;
}

/** A station certificate: the Ed25519 signature of a provider root or of an issuing key over the station key. */
export interface StationCertificate {
  version: 1;
  stationId: string;
  /** base64 Ed25519 public key of the station. */
  publicKey: string;
  /** RFC 3339 UTC. */
  issuedAt: string;
  /** RFC 3339 UTC, or null for no expiry. */
  expiresAt: string | null;
  /** base64 public key of the root (or issuing key) that signed it. */
  issuer: string;
  /** base64 Ed25519 signature by the issuer over the RFC 8785 canonical JSON of the other fields. */
  signature: string;
}

/** The only `usage` of an issuing certificate: it may certify station keys, nothing else. */
export const ISSUING_USAGE = 'station-certificates';

/** The longest life, in days, of a station certificate signed by an issuing key (a bound every issuing certificate's `maxStationValidityDays` respects). */
export const MAX_STATION_VALIDITY_DAYS = 90;

/**
 * An issuing certificate: the provider root certifies an issuing key (held by the custody
 * service) that may sign station certificates of at most `maxStationValidityDays` days, within
 * its own validity.
 */
export interface IssuingCertificate {
  version: 1;
  /** Must be {@link ISSUING_USAGE}; anything else is refused by readers (`wrong-usage`). */
  usage: string;
  /** A name for the issuing key (e.g. `custody-2026`). */
  issuingId: string;
  /** base64 Ed25519 public key of the issuing key. */
  publicKey: string;
  /** RFC 3339 UTC. */
  issuedAt: string;
  /** RFC 3339 UTC: an issuing certificate always expires. */
  expiresAt: string;
  /** The longest validity, in whole days, of a station certificate this key may sign (1 to {@link MAX_STATION_VALIDITY_DAYS}). */
  maxStationValidityDays: number;
  /** base64 public key of the root that signed it. */
  issuer: string;
  /** base64 Ed25519 signature by the root over the RFC 8785 canonical JSON of the other fields. */
  signature: string;
}

/** Zod schema of {@link StationCertificate}: strict about types, strips unknown fields. */
export const stationCertificateSchema = z.object({
  version: z.literal(1),
  stationId: printableId,
  publicKey: base64Bytes(32),
  issuedAt: rfc3339Utc,
  expiresAt: rfc3339Utc.nullable(),
  issuer: base64Bytes(32),
  signature: base64Bytes(64),
});

/** Zod schema of {@link IssuingCertificate}: strict about types (any `usage` string: readers judge it), strips unknown fields. */
export const issuingCertificateSchema = z.object({
  version: z.literal(1),
  usage: z.string().max(64),
  issuingId: printableId,
  publicKey: base64Bytes(32),
  issuedAt: rfc3339Utc,
  expiresAt: rfc3339Utc,
  maxStationValidityDays: z.number().int().min(1).max(MAX_STATION_VALIDITY_DAYS),
  issuer: base64Bytes(32),
  signature: base64Bytes(64),
});
