/** IPC handlers of the app and its settings: `app.info`, `settings.*`, `station.enrol`. */
import { OFFERED_CARRIERS } from '../../shared/carriers/index.js';
import { ScelleError, isScelleError } from '../../shared/errors/scelle-error.js';
import { isAcceptableCustodyUrl } from '../../shared/ipc/index.js';
import { importEnrolment } from '../enrolment.js';
import type { SettingsStore } from '../ports.js';
import { loadStationIdentity } from '../station.js';
import type { ChannelHandlers, HandlerContext } from './context.js';

/** The settings handlers; `settings.set` throws E_USAGE for a custody address that is not https. */
export function settingsHandlers(ctx: HandlerContext): ChannelHandlers<'app.info' | 'settings.get' | 'settings.set' | 'station.enrol'> {
  const { deps, grants } = ctx;
  return {
    'app.info': async () => {
      let stationPublicKey: string | null = null;
      try {
        const station = await loadStationIdentity(deps.stationKeyFile);
        station.secretKey.fill(0);
        stationPublicKey = Buffer.from(station.publicKey).toString('base64');
      } catch {
        stationPublicKey = null;
      }
      return {
        version: deps.version,
        platform: deps.platform,
        shell: deps.shell,
        escrowAvailable: deps.escrowPublicKey !== null,
        stationPublicKey,
        carriers: [...OFFERED_CARRIERS],
      };
    },
    'settings.get': () => deps.settings.get(),
    'settings.set': async (req) => {
      if (req.custodyUrl != null && !isAcceptableCustodyUrl(req.custodyUrl))
        throw new ScelleError('E_USAGE', 'the custody service address must start with https://', { field: 'custodyUrl' });
      if (req.custodyCaPath != null) grants.require(req.custodyCaPath);
      const patch: Parameters<SettingsStore['set']>[0] = {};
      if (req.language !== undefined) patch.language = req.language;
      if (req.custodyUrl !== undefined) patch.custodyUrl = req.custodyUrl === '' ? null : req.custodyUrl;
      if (req.custodyCaPath !== undefined) patch.custodyCaPath = req.custodyCaPath;
      return deps.settings.set(patch);
    },
    'station.enrol': async (req) => {
      const r = await importEnrolment(grants.require(req.bundlePath), {
        settings: deps.settings,
        stationKeyFile: deps.stationKeyFile,
        pinnedRoots: deps.pinnedRoots,
        dataDir: deps.dataDir,
      });
      // Events recorded before enrolment wait in the outbox: push them now (best effort).
      await deps.custody.sync?.().catch((e: unknown) => deps.log?.(`custody: sync after enrolment failed (${isScelleError(e) ? e.code : 'error'})`));
      return r;
    },
  };
}
