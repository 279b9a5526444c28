/**
 * Settings kept as a JSON file in the app's data folder (written atomically, owner-only).
 * Holds no secret in clear: the custody tokens are sealed with a {@link SecretCipher}
 * (Electron's safeStorage in the app) and bound to the service origin they were issued for;
 * `get` never returns them. Changing the custody address to another origin drops the tokens
 * and the enrolment flag: the station must be enrolled again for the new service (a token is
 * never sent to a host it was not issued for).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { settingsSchema, type SettingsDto } from '../shared/ipc/index.js';
import { NO_SECRETS, type CustodySecrets, type SettingsStore } from './ports.js';
import { noSecureStorage, type SecretCipher } from './secret-cipher.js';

/** Factory defaults: French (Canada), no custody service configured. */
export const DEFAULT_SETTINGS: SettingsDto = { language: 'fr-CA', custodyUrl: null, custodyCaPath: null, stationId: null, stationEnrolled: false, customerKeyFile: null };

/** The custody credentials as written in the file: tokens sealed, for one origin. */
interface StoredSecrets {
  /** origin (scheme://host:port) the tokens were issued for */
  origin: string | null;
  /** base64 of the cipher's sealing of `{ stationToken, supportToken }`, or null when none */
  sealedTokens: string | null;
  serviceKeys: string[];
  /** when the tokens were stored (enrolment or rotation) */
  issuedAt: string | null;
}

type Stored = SettingsDto & { custody: StoredSecrets };

const NO_STORED: StoredSecrets = { origin: null, sealedTokens: null, serviceKeys: [], issuedAt: null };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** `scheme://host:port` of a URL, or null. */
export function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function readStoredSecrets(raw: unknown): StoredSecrets {
  if (typeof raw !== 'object' || raw === null) return { ...NO_STORED };
  const r = raw as Record<string, unknown>;
  const keys = Array.isArray(r['serviceKeys']) ? r['serviceKeys'].filter((k): k is string => typeof k === 'string') : [];
  // Files from before sealing held tokens in clear: they are not trusted (enrol again).
  return { origin: str(r['origin']), sealedTokens: str(r['sealedTokens']), serviceKeys: keys, issuedAt: str(r['issuedAt']) };
}

/** A SettingsStore over a JSON file; a missing or corrupt file gives the defaults. */
export class JsonSettingsStore implements SettingsStore {
  private cache: Stored | null = null;

  /**
   * @param cipher seals the tokens (the app passes safeStorageCipher(safeStorage)); without an
   *   available cipher, tokens are never written (setSecrets fails with `no-secure-storage`).
   */
  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher | null,
    private readonly initial: Partial<SettingsDto> = {},
  ) {}

  private async load(): Promise<Stored> {
    if (this.cache) return this.cache;
    let raw: unknown = {};
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      raw = {};
    }
    const obj = typeof raw === 'object' && raw ? (raw as Record<string, unknown>) : {};
    const merged = { ...DEFAULT_SETTINGS, ...this.initial, ...obj };
    const parsed = settingsSchema.safeParse(merged);
    this.cache = { ...(parsed.success ? parsed.data : DEFAULT_SETTINGS), custody: readStoredSecrets(obj['custody']) };
    return this.cache;
  }

  private async save(next: Stored): Promise<void> {
    this.cache = next;
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFile(`${this.file}.tmp`, JSON.stringify(next, null, 2), { mode: 0o600 });
    await rename(`${this.file}.tmp`, this.file);
  }

  async get(): Promise<SettingsDto> {
    const { custody: _secrets, ...visible } = await this.load();
    return visible;
  }

  /**
   * Applies `patch`. A custody address of another origin than the tokens' drops the tokens and
   * clears `stationEnrolled` (the renderer then asks for enrolment).
   */
  async set(patch: Parameters<SettingsStore['set']>[0]): Promise<SettingsDto> {
    const current = await this.load();
    let next: Stored = { ...current, ...patch };
    if (patch.custodyUrl !== undefined && current.custody.sealedTokens !== null && originOf(patch.custodyUrl) !== current.custody.origin) {
      next = { ...next, stationEnrolled: false, custody: { ...NO_STORED } };
    }
    await this.save(next);
    return this.get();
  }

  /** The tokens, only while the configured address is the origin they were issued for. */
  async secrets(): Promise<CustodySecrets> {
    const s = await this.load();
    const c = s.custody;
    const serviceKeys = [...c.serviceKeys];
    if (c.sealedTokens === null || c.origin === null || originOf(s.custodyUrl) !== c.origin || !this.cipher?.isAvailable()) return { ...NO_SECRETS, serviceKeys };
    try {
      const t = JSON.parse(this.cipher.decrypt(Buffer.from(c.sealedTokens, 'base64'))) as Record<string, unknown>;
      return { stationToken: str(t['stationToken']), supportToken: str(t['supportToken']), serviceKeys, issuedAt: c.issuedAt };
    } catch {
      // sealed by another user, machine or keychain: unusable, enrol again
      return { ...NO_SECRETS, serviceKeys };
    }
  }

  /**
   * Stores the credentials issued by the service at `origin` (a URL; default: the configured address).
   * @throws ScelleError E_CUSTODY_SYNC `no-secure-storage` when tokens are given and no OS
   *   keychain can seal them (nothing is written then).
   */
  async setSecrets(secrets: CustodySecrets, origin?: string): Promise<void> {
    const current = await this.load();
    const hasTokens = secrets.stationToken !== null || secrets.supportToken !== null;
    if (hasTokens && !this.cipher?.isAvailable()) throw noSecureStorage();
    const sealedTokens =
      hasTokens && this.cipher ? this.cipher.encrypt(JSON.stringify({ stationToken: secrets.stationToken, supportToken: secrets.supportToken })).toString('base64') : null;
    const issuedAt = sealedTokens === null ? null : (secrets.issuedAt ?? new Date().toISOString());
    await this.save({ ...current, custody: { origin: originOf(origin ?? current.custodyUrl), sealedTokens, serviceKeys: [...secrets.serviceKeys], issuedAt } });
  }
}
