/** IPC handlers of the documents a user saves: `slip.savePdf` (packing slip), `report.export` (custody report). */
import { carrierName, type CarrierId } from '../../shared/carriers/index.js';
import { findSealedFolders } from '../../shared/drives/index.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { validateTracking } from './carriers.js';
import type { ChannelHandlers, HandlerContext } from './context.js';

/**
 * The document handlers: each asks where to save and writes only where the user chose (a
 * cancelled dialog answers `path: null`). A member of a set's slip names the set and its place
 * (from the request, or from the drive's manifest when it is attached). `slip.savePdf` throws E_CARRIER_INVALID for an invalid
 * tracking number; `report.export` throws E_CUSTODY_CHAIN when no event is known for the drive.
 */
export function documentHandlers(ctx: HandlerContext): ChannelHandlers<'slip.savePdf' | 'report.export'> {
  const { deps } = ctx;
  const timelineFor = async (driveId: string) => {
    const [t] = (await deps.custody.lookup('drive', driveId)).filter((x) => x.driveId === driveId);
    if (!t) throw new ScelleError('E_CUSTODY_CHAIN', 'no custody events are known for this drive', { driveId });
    return t;
  };
  /** The place in its set of drive `driveId` when it is attached here (read from its signed manifest, no key), else undefined. */
  const attachedSetPlace = async (driveId: string) => {
    for (const d of ctx.drives)
      for (const f of await findSealedFolders(d.mountpoint)) {
        if (f.driveId !== driveId) continue;
        const view = await deps.engine.call({ op: 'setMembers', args: { driveDir: f.driveDir, candidates: [] } }).catch(() => null);
        if (view?.set) return { id: view.set.id, position: view.set.position, members: view.set.members };
      }
    return undefined;
  };
  return {
    'slip.savePdf': async (req) => {
      const v = await validateTracking(ctx, req.trackingNumber, req.carrier);
      if (!v.valid || !v.carrier) throw new ScelleError('E_CARRIER_INVALID', 'the tracking number is not valid', {});
      // A member of a set names its place: as the seal answered, or (a reprint from the dashboard) from its manifest when attached.
      const set = req.set ?? (await attachedSetPlace(req.driveId));
      const bytes = await deps.documents.packingSlip({
        driveId: req.driveId,
        carrierName: carrierName(v.carrier.id as CarrierId, req.language),
        trackingNumber: v.normalized,
        language: req.language,
        ...(set ? { set } : {}),
      });
      const path = await deps.dialogs.saveFile(set ? `bordereau-${req.driveId}-${set.position}-${set.members}.pdf` : `bordereau-${req.driveId}.pdf`, 'pdf');
      if (path) await deps.writeFile(path, bytes);
      return { path };
    },
    'report.export': async (req) => {
      const t = await timelineFor(req.driveId);
      const path = await deps.dialogs.saveFile(`rapport-${req.driveId}.${req.format}`, req.format);
      if (path) await deps.writeFile(path, req.format === 'pdf' ? await deps.documents.timelinePdf(t, req.language) : deps.documents.timelineCsv(t));
      return { path };
    },
  };
}
