import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('packaging', () => {
  it('turns off Node entry points and turns on asar integrity in the afterPack fuses', () => {
    const hook = require('../build/after-pack.cjs') as { FUSES: Record<number, boolean>; binaryPath(c: unknown): string };
    expect(hook.FUSES[FuseV1Options.RunAsNode]).toBe(false);
    expect(hook.FUSES[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(hook.FUSES[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(hook.FUSES[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(hook.FUSES[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    // Every fuse the installed @electron/fuses knows is set on purpose, and packaging refuses an unlisted one.
    const known = Object.values(FuseV1Options).filter((v): v is number => typeof v === 'number');
    expect(known.filter((f) => typeof hook.FUSES[f] !== 'boolean')).toEqual([]);
    expect((hook.FUSES as Record<string, unknown>)['strictlyRequireAllFuses']).toBe(true);
    const ctx = (p: string) => ({ electronPlatformName: p, appOutDir: '/out', packager: { appInfo: { productFilename: 'Scellé' }, executableName: 'scelle-desktop' } });
    expect(hook.binaryPath(ctx('win32'))).toMatch(/Scellé\.exe$/);
    expect(hook.binaryPath(ctx('darwin'))).toMatch(/Scellé\.app$/);
    expect(hook.binaryPath(ctx('linux'))).toMatch(/scelle-desktop$/);
  });

  it('builds NSIS, dmg, AppImage and deb from an asar with the fuse hook', () => {
    const yml = readFileSync(new URL('../electron-builder.yml', import.meta.url), 'utf8');
    for (const line of ['target: nsis', 'target: dmg', 'target: [AppImage, deb]', 'asar: true', 'afterPack: build/after-pack.cjs', 'main: dist/electron/main.js'])
      expect(yml).toContain(line);
  });

  it("builds what automatic updates need: a generic feed's latest*.yml and the macOS zip", () => {
    const yml = readFileSync(new URL('../electron-builder.yml', import.meta.url), 'utf8');
    expect(yml).toMatch(/^publish:\n {2}provider: generic$/m);
    expect(yml).toMatch(/- target: zip\n {6}arch: \[universal\]/);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['electron-updater']).toBeDefined();
  });

  it("packages the provider configuration, and never packages without the provider's root keys", () => {
    const yml = readFileSync(new URL('../electron-builder.yml', import.meta.url), 'utf8');
    expect(yml).toMatch(/^ {2}- dist\/provider\.json$/m);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toMatch(/node build\/provider-config\.mjs --require && electron-builder/);
  });
});
