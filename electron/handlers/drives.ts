/** IPC handlers of attached drives and file choices: `drives.*`, `dialog.*`. */
import { checkDriveForSeal, findSealedFolders } from '../../shared/drives/index.js';
import { sanitizationData } from '../../shared/engine/erase.js';
import { isScelleError } from '../../shared/errors/scelle-error.js';
import type { ChannelHandlers, HandlerContext } from './context.js';
import { recordCustomerEvent } from './custody.js';

/** The drives handlers; a path chosen in a dialog or a listed mount point is granted, others are refused by the grants. */
export function drivesHandlers(ctx: HandlerContext): ChannelHandlers<'drives.list' | 'drives.check' | 'drives.eraseSealed' | 'dialog.chooseSources' | 'dialog.chooseFolder'> {
  const { deps, grants } = ctx;
  return {
    'drives.list': async (req) => {
      const found = await deps.listDrives({ includeNonRemovable: req.includeNonRemovable === true });
      ctx.drives = found;
      const out = [];
      for (const d of found) {
        grants.grant(d.mountpoint);
        out.push({
          id: d.id,
          label: d.label,
          model: d.model,
          mountpoint: d.mountpoint,
          sizeBytes: d.sizeBytes,
          freeBytes: d.freeBytes,
          fileSystem: d.fileSystem,
          removable: d.removable,
          bus: d.bus,
          sealedFolders: await findSealedFolders(d.mountpoint),
        });
      }
      deps.emit('drives.changed', { count: out.length });
      return { drives: out };
    },
    'drives.check': async (req) => checkDriveForSeal(ctx.findDrive(req.driveId), { bytesNeeded: req.bytesNeeded, ...(req.files !== undefined ? { files: req.files } : {}) }),
    'drives.eraseSealed': async (req) => {
      const driveDir = grants.require(req.driveDir);
      // The erase runs in the engine, off the main process; with a session, the engine closes
      // its index first (its key stays to sign the record).
      const report = await deps.engine.call({ op: 'erase', args: { driveDir, ...(req.sessionId ? { sessionId: req.sessionId } : {}) } });
      if (!req.sessionId) return { erased: true as const, verification: report.verification.result, eventId: null, synced: false };
      // The customer, whose key only the unlocked session holds, signs the sanitization record.
      const data = sanitizationData(report, {
        mediaType: 'other',
        mediaDescription: `scelle/1 drive folder SCELLE-${report.driveId} (file-level erase)`,
        performedBy: 'customer',
        tool: { name: 'scelle', version: deps.version },
      });
      // A drive sealed for a customer key not given here gets no erase record (it could not be the customer's).
      const recorded = await recordCustomerEvent(ctx, req.sessionId, report.driveId, 'erased', data).catch((e: unknown) => {
        if (isScelleError(e, 'E_KEY_CUSTOMER_NEEDED')) return { eventId: null, synced: false };
        throw e;
      });
      return { erased: true as const, verification: report.verification.result, eventId: recorded.eventId, synced: recorded.synced };
    },
    'dialog.chooseSources': async (req) => {
      const paths = await deps.dialogs.chooseSources(req.kind);
      paths.forEach((p) => grants.grant(p));
      return { paths };
    },
    'dialog.chooseFolder': async (req) => {
      const path = await deps.dialogs.chooseFolder(req.purpose);
      if (path) grants.grant(path);
      return { path };
    },
  };
}
