/**
 * Station identity and certificate types: a station signs manifests and custody events with
 * its Ed25519 key; the provider's root key certifies that key. One definition, re-exported by
 * shared/engine/api.ts.
 */
import { z } from 'zod';
import { base64Bytes, printableId, rfc3339Utc } from './json-schemas.js';

/** The station identity that signs manifests and custody events. */
export interface StationIdentity {
  id: string;
  /** Ed25519 secret key (32-byte seed). Never logged. */
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  /** Certificate issued by the provider root, or null for a local, uncertified station. */
  certificate: StationCertificate | null;
}

/** A station certificate: the provider root's Ed25519 signature over the station key. */
export interface StationCertificate {
  version: 1;
  stationId: string;
  /** base64 Ed25519 public key of the station. */
  publicKey: string;
  /** RFC 3339 UTC. */
  issuedAt: string;
  /** RFC 3339 UTC, or null for no expiry. */
  expiresAt: string | null;
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
