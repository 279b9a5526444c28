/** IPC handlers of the documents a user saves: `slip.savePdf` (packing slip), `report.export` (custody report). */
import { carrierName, type CarrierId } from '../../shared/carriers/index.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { validateTracking } from './carriers.js';
import type { ChannelHandlers, HandlerContext } from './context.js';

/**
 * The document handlers: each asks where to save and writes only where the user chose (a
 * cancelled dialog answers `path: null`). `slip.savePdf` throws E_CARRIER_INVALID for an invalid
 * tracking number; `report.export` throws E_CUSTODY_CHAIN when no event is known for the drive.
 */
export function documentHandlers(ctx: HandlerContext): ChannelHandlers<'slip.savePdf' | 'report.export'> {
  const { deps } = ctx;
  const timelineFor = async (driveId: string) => {
    const [t] = (await deps.custody.lookup('drive', driveId)).filter((x) => x.driveId === driveId);
    if (!t) throw new ScelleError('E_CUSTODY_CHAIN', 'no custody events are known for this drive', { driveId });
    return t;
  };
  return {
    'slip.savePdf': async (req) => {
      const v = await validateTracking(ctx, req.trackingNumber, req.carrier);
      if (!v.valid || !v.carrier) throw new ScelleError('E_CARRIER_INVALID', 'the tracking number is not valid', {});
      const bytes = await deps.documents.packingSlip({
        driveId: req.driveId,
        carrierName: carrierName(v.carrier.id as CarrierId, req.language),
        trackingNumber: v.normalized,
        language: req.language,
        ...(req.set ? { set: req.set } : {}),
      });
      const path = await deps.dialogs.saveFile(req.set ? `bordereau-${req.driveId}-${req.set.position}-${req.set.members}.pdf` : `bordereau-${req.driveId}.pdf`, 'pdf');
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
