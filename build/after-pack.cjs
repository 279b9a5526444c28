/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads hooks with require() */
// electron-builder afterPack hook: flips Electron's fuses on the packaged binary before it is
// signed and wrapped into an installer (docs/DESKTOP.md, "Fuses").
// CommonJS on purpose: electron-builder loads hooks with require().
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse settings Scellé ships with. */
const FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
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
