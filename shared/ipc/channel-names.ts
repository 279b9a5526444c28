/**
 * The channel names alone, without zod, for the preload script (which is bundled small and
 * runs sandboxed). A unit test checks that these lists equal the keys of channels.ts.
 */

/** Every invoke channel name, `namespace.method`. */
export const INVOKE_CHANNEL_NAMES = [
  'app.info',
  'settings.get',
  'settings.set',
  'station.enrol',
  'drives.list',
  'drives.check',
  'drives.eraseSealed',
  'dialog.chooseSources',
  'dialog.chooseFolder',
  'sources.count',
  'engine.seal',
  'engine.nextDrive',
  'engine.setMembers',
  'engine.availability',
  'engine.cancel',
  'engine.inspect',
  'engine.verify',
  'engine.checkUnlockCode',
  'engine.unlock',
  'engine.lock',
  'engine.browse',
  'engine.search',
  'engine.open',
  'customer.createKey',
  'customer.chooseKey',
  'customer.currentKey',
  'customer.forgetKey',
  'customer.exportPublicKey',
  'customer.readPublicKey',
  'carriers.validate',
  'custody.lookup',
  'custody.record',
  'custody.stationDrives',
  'custody.sync',
  'slip.savePdf',
  'report.export',
  'shell.openCarrierLink',
] as const;

/** Every event channel name (main → renderer). */
export const EVENT_CHANNEL_NAMES = ['job.progress', 'drives.changed', 'seal.set'] as const;

/** Prefix of the Electron IPC channel names, so that ours never collide with Electron's own. */
export const IPC_PREFIX = 'scelle:';
