/**
 * TEST-ONLY: a large sealed drive for the e2e tests, made once per Playwright worker (the
 * `largeDrive` worker fixture of fixtures.ts; the suite runs one worker, so once per run) with
 * the REAL compiled engine (dist/shared/engine, as `npm run build` leaves it): `folders`
 * folders of `filesPerFolder` small files, `Archives/dossier-NNN/fichier-NNNN.txt`, sealed by
 * a station certified under the test provider root the harness pins. Tests copy it onto the
 * harness's drive (placeLargeDrive), so that each test may change its copy.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type * as Engine from '../../shared/engine/index.js';
import { generateSigningKeyPair, issueStationCertificate } from '../../shared/format/station-cert.js';
import { TEST_ROOT_SECRET } from '../../server/testing.js';
import type { Harness } from './harness-server.js';

/** The compiled engine (the seal runs its tar builders and writer on worker threads, as in the app). */
const ENGINE_JS = new URL('../../dist/shared/engine/index.js', import.meta.url);

/** A sealed large drive, kept in a temporary folder for the run. */
export interface LargeDrive {
  /** The temporary folder holding everything (removed at the end of the run). */
  root: string;
  /** The sealed `SCELLE-<driveId>` folder (the cached copy: tests use placeLargeDrive). */
  driveDir: string;
  driveId: string;
  unlockCode: string;
  folders: number;
  filesPerFolder: number;
  /** Index entries: files, their folders and the top folder. */
  entries: number;
  sealMs: number;
}

/** The name of folder `i` and of file `j` in it. */
export const largeFolder = (i: number) => `dossier-${String(i).padStart(3, '0')}`;
export const largeFile = (j: number) => `fichier-${String(j).padStart(4, '0')}.txt`;
/** The content of file `j` of folder `i` (a few bytes). */
export const largeContent = (i: number, j: number) => `d${i} f${j}\n`;

/** Writes and seals the large drive. Takes about a minute on a slow 2-core machine. */
export async function makeLargeDrive(folders = 100, filesPerFolder = 1000): Promise<LargeDrive> {
  const root = await mkdtemp(join(tmpdir(), 'scelle-e2e-large-'));
  const src = join(root, 'src', 'Archives');
  for (let i = 0; i < folders; i++) {
    const dir = join(src, largeFolder(i));
    await mkdir(dir, { recursive: true });
    for (let j = 0; j < filesPerFolder; j++) writeFileSync(join(dir, largeFile(j)), largeContent(i, j));
  }
  let engine: typeof Engine;
  try {
    engine = (await import(ENGINE_JS.href)) as typeof Engine;
  } catch (e) {
    throw new Error(`the compiled engine ${ENGINE_JS.pathname} could not be loaded; run \`npm run build\` first (${(e as Error).message})`, { cause: e });
  }
  const pair = generateSigningKeyPair();
  const stationId = 'station-large-01';
  const certificate = issueStationCertificate({ rootSecretKey: TEST_ROOT_SECRET, stationId, stationPublicKey: pair.publicKey });
  const target = join(root, 'drive');
  await mkdir(target);
  const started = performance.now();
  const r = await engine.seal({
    sources: [src],
    target,
    recipients: { unlockCode: true, x25519: [] },
    station: { id: stationId, secretKey: pair.secretKey, publicKey: pair.publicKey, certificate },
  });
  const sealMs = Math.round(performance.now() - started);
  pair.secretKey.fill(0);
  await rm(join(root, 'src'), { recursive: true, force: true });
  return { root, driveDir: r.driveDir, driveId: r.driveId, unlockCode: r.unlockCode!, folders, filesPerFolder, entries: folders * filesPerFolder + folders + 1, sealMs };
}

/** Copies the large drive onto the harness's LIVRAISON drive; returns the copy's folder. */
export async function placeLargeDrive(h: Harness, d: LargeDrive): Promise<string> {
  const to = join(h.world.driveDir, basename(d.driveDir));
  await cp(d.driveDir, to, { recursive: true });
  return to;
}
