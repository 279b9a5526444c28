/**
 * Settings kept as a JSON file in the app's data folder (written atomically, owner-only).
 * Holds no secret but the custody token, which `get` never returns.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { settingsSchema, type SettingsDto } from '../shared/ipc/index.js';
import type { SettingsStore } from './ports.js';

/** Factory defaults: French (Canada), no custody service configured. */
export const DEFAULT_SETTINGS: SettingsDto = { language: 'fr-CA', custodyUrl: null, custodyCaPath: null, stationId: null, stationEnrolled: false };

/** A SettingsStore over a JSON file; a missing or corrupt file gives the defaults. */
export class JsonSettingsStore implements SettingsStore {
  private cache: (SettingsDto & { token?: string | null }) | null = null;

  constructor(private readonly file: string, private readonly initial: Partial<SettingsDto> & { token?: string | null } = {}) {}

  private async load(): Promise<SettingsDto & { token?: string | null }> {
    if (this.cache) return this.cache;
    let raw: unknown = {};
    try {
      raw = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      raw = {};
    }
    const merged = { ...DEFAULT_SETTINGS, ...this.initial, ...(typeof raw === 'object' && raw ? raw : {}) };
    const parsed = settingsSchema.safeParse(merged);
    const token = typeof (merged as { token?: unknown }).token === 'string' ? (merged as { token: string }).token : null;
    this.cache = { ...(parsed.success ? parsed.data : DEFAULT_SETTINGS), token };
    return this.cache;
  }

  async get(): Promise<SettingsDto> {
    const { token: _token, ...visible } = await this.load();
    return visible;
  }

  async set(patch: Parameters<SettingsStore['set']>[0]): Promise<SettingsDto> {
    const next = { ...(await this.load()), ...patch };
    this.cache = next;
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFile(`${this.file}.tmp`, JSON.stringify(next, null, 2), { mode: 0o600 });
    await rename(`${this.file}.tmp`, this.file);
    return this.get();
  }

  async token(): Promise<string | null> {
    return (await this.load()).token ?? null;
  }
}
