/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads hooks with require() */
// electron-builder afterPack hook: flips Electron's fuses on the packaged binary before it is
// signed and wrapped into an installer (docs/DESKTOP.md, "Fuses").
// CommonJS on purpose: electron-builder loads hooks with require().
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/**
 * The fuse settings Scellé ships with: every fuse of the wire is set on purpose, and
 * `strictlyRequireAllFuses` makes packaging fail when an Electron upgrade adds one that is not
 * listed here. (@electron/fuses 2 is an ES module: Node ≥ 22.12 loads it with require().)
 */
const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  // One V8 snapshot for every process (Electron's default); the app ships no custom snapshot.
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // WebAssembly trap handlers on (Electron's default): faster bounds checks in the sandbox.
  [FuseV1Options.WasmTrapHandlers]: true,
};

/** Path of the packaged Electron binary (or .app bundle) for the platform being built. */
function binaryPath(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  const product = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${product}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${product}.exe`);
  return path.join(appOutDir, packager.executableName || product);
}

exports.FUSES = FUSES;
exports.binaryPath = binaryPath;
exports.default = async function afterPack(context) {
  const isMac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await flipFuses(binaryPath(context), { ...FUSES, resetAdHocDarwinSignature: isMac && (context.arch === 3 || context.arch === 4) /* arm64, universal */ });
};
