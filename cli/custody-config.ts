/**
 * `<home>/custody.json`: where the custody service is and how to reach it (no secret inside).
 * Kept apart from cli/commands/custody.ts so that the commands that only read it (`scelle
 * verify`, for the service keys) do not load the custody client and the carrier library.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { scelleHome } from './config.js';

/** `<home>/custody.json`: where the custody service is and how to reach it. No secret inside. */
export interface CustodyConfig {
  service?: string;
  /** path of a file whose first line is the bearer token */
  tokenFile?: string;
  /** the service origin (scheme://host:port) the token file was configured for */
  tokenOrigin?: string;
  /** path of a PEM file: the only CA trusted for the service */
  ca?: string;
  /** base64 Ed25519 public keys of the service (current and previous) */
  serviceKeys?: string[];
}

/** Path of the custody service configuration file. */
export function custodyConfigPath(home: string = scelleHome()): string {
  return join(home, 'custody.json');
}

/** Reads custody.json ({} when absent). @throws ScelleError E_KEY_FILE when unreadable or malformed. */
export function readCustodyConfig(home: string = scelleHome()): CustodyConfig {
  const p = custodyConfigPath(home);
  if (!existsSync(p)) return {};
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as CustodyConfig;
    if (typeof j !== 'object' || j === null) throw new Error('not an object');
    return j;
  } catch (e) {
    throw new ScelleError('E_KEY_FILE', `${p} is not a custody configuration`, { path: p, problem: 'malformed' }, { cause: e });
  }
}
