/**
 * Automatic updates of the app from the provider's feed (provider configuration `updateUrl`),
 * through electron-updater's generic provider, with the provider's own signature check on top
 * of the operating system's (shared/provider/update-manifest.ts): the offer of the feed is
 * downloaded and installed only once a manifest signed by a pinned update key lists exactly its
 * version and files. Nothing downloads or installs on its own (autoDownload and
 * autoInstallOnAppQuit are off until the check passes). Injected updater and fetch, so the
 * logic runs in plain Node; main.ts wires electron-updater's autoUpdater.
 */
import { ScelleError } from '../shared/errors/scelle-error.js';
import type { ProviderConfig } from '../shared/provider/provider-config.js';
import { updateManifestName, verifyUpdateManifest, type UpdateFile } from '../shared/provider/update-manifest.js';

/** The part of electron-updater's AppUpdater this module uses. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: { version: string; files: readonly UpdateFile[] } } | null>;
  downloadUpdate(): Promise<unknown>;
}

/** What a check found. */
export type UpdateOutcome =
  { state: 'disabled' } | { state: 'up-to-date' } | { state: 'ready'; version: string } | { state: 'refused'; version: string; code: string; problem: string };

/**
 * Fetches a JSON document of the update feed with Node's fetch (https, or loopback http in tests).
 * @throws ScelleError E_UPDATE_SIGNATURE (problem `missing`) when the feed has no such document
 *   (an offer without its signed manifest is refused); other failures reject as they come.
 */
export async function fetchFeedJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'error' });
  if (res.status === 404) throw new ScelleError('E_UPDATE_SIGNATURE', `the update feed has no ${url}`, { problem: 'missing' });
  if (!res.ok) throw new Error(`update feed answered HTTP ${res.status}`);
  return (await res.json()) as unknown;
}

/** Checks the provider's feed and downloads a signed, newer update (see module doc). */
export class UpdateController {
  constructor(
    private readonly provider: ProviderConfig | null,
    private readonly currentVersion: string,
    private readonly updater: Updater,
    private readonly fetchJson: (url: string) => Promise<unknown>,
    private readonly log: (line: string) => void,
  ) {
    updater.autoDownload = false;
    updater.autoInstallOnAppQuit = false;
    if (provider?.updateUrl) updater.setFeedURL({ provider: 'generic', url: provider.updateUrl });
  }

  /**
   * One check: nothing when the build has no feed; otherwise the feed's offer is checked against
   * its signed manifest, then downloaded and set to install when the app quits. A refused update
   * is logged and reported, never installed. Network failures reject (the caller retries later).
   */
  async check(): Promise<UpdateOutcome> {
    const feed = this.provider?.updateUrl;
    if (!feed) return { state: 'disabled' };
    const offer = await this.updater.checkForUpdates();
    if (!offer || !offer.isUpdateAvailable) return { state: 'up-to-date' };
    const { version, files } = offer.updateInfo;
    try {
      const doc = await this.fetchJson(new URL(updateManifestName(version), feed.endsWith('/') ? feed : `${feed}/`).href);
      verifyUpdateManifest(doc, this.provider!.updateKeys, { version, files: files.map((f) => ({ url: f.url, sha512: f.sha512 })) }, this.currentVersion);
    } catch (e) {
      if (e instanceof ScelleError && e.code === 'E_UPDATE_SIGNATURE') {
        const problem = String(e.details.problem ?? '');
        this.log(`update ${version} refused: ${problem}`);
        return { state: 'refused', version, code: e.code, problem };
      }
      throw e;
    }
    await this.updater.downloadUpdate();
    this.updater.autoInstallOnAppQuit = true;
    return { state: 'ready', version };
  }
}
