/**
 * Settings kept as a JSON file in the app's data folder (written atomically, owner-only).
 * Holds no secret but the custody credentials (tokens and pinned service keys, under
 * `custody`), which `get` never returns.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { settingsSchema, type SettingsDto } from '../shared/ipc/index.js';
import { NO_SECRETS, type CustodySecrets, type SettingsStore } from './ports.js';

/** Factory defaults: French (Canada), no custody service configured. */
export const DEFAULT_SETTINGS: SettingsDto = { language: 'fr-CA', custodyUrl: null, custodyCaPath: null, stationId: null, stationEnrolled: false };

type Stored = SettingsDto & { custody: CustodySecrets };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function readSecrets(raw: unknown): CustodySecrets {
  if (typeof raw !== 'object' || raw === null) return { ...NO_SECRETS };
  const r = raw as Record<string, unknown>;
  const keys = Array.isArray(r['serviceKeys']) ? r['serviceKeys'].filter((k): k is string => typeof k === 'string') : [];
  return { stationToken: str(r['stationToken']), supportToken: str(r['supportToken']), serviceKeys: keys };
}

/** A SettingsStore over a JSON file; a missing or corrupt file gives the defaults. */
export class JsonSettingsStore implements SettingsStore {
  private cache: Stored | null = null;

  constructor(private readonly file: string, private readonly initial: Partial<SettingsDto> = {}) {}

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
    this.cache = { ...(parsed.success ? parsed.data : DEFAULT_SETTINGS), custody: readSecrets(obj['custody']) };
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

  async set(patch: Parameters<SettingsStore['set']>[0]): Promise<SettingsDto> {
    await this.save({ ...(await this.load()), ...patch });
    return this.get();
  }

  async secrets(): Promise<CustodySecrets> {
    const s = (await this.load()).custody;
    return { ...s, serviceKeys: [...s.serviceKeys] };
  }

  async setSecrets(secrets: CustodySecrets): Promise<void> {
    await this.save({ ...(await this.load()), custody: { ...secrets, serviceKeys: [...secrets.serviceKeys] } });
  }
}
