// A drive of many entries is sealed, listed, opened by folder and whole, and verified by the compiled
// engine in a child process whose V8 heap is far smaller than the index: memory stays flat in
// the number of entries. The same heap limit breaks a listing that holds every entry.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeKeys } from '../support/engine-fixtures.js';
import { encodeBase64 } from '../../shared/format/base64.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../../shared/format/payload-size.js';

const FOLDERS = 120;
const FILES_PER_FOLDER = 1000;
/** Folders opened at once, by one open: more than half the drive, chosen as folders. */
const MANY_FOLDERS = Array.from({ length: 64 }, (_, i) => i);
/** The child's old-generation limit: well under the index's ≈ 23 MB of plaintext (and its entries as objects). */
const HEAP_LIMIT_MB = 24;
const engine = fileURLToPath(new URL('../../dist/shared/engine/index.js', import.meta.url));
const child = fileURLToPath(new URL('./memory-child.mjs', import.meta.url));

function scratch(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, 'scelle-scale-'));
}

function runChild(mode: string, paramsFile: string) {
  return spawnSync(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--max-semi-space-size=1', child, mode, paramsFile], { encoding: 'utf8', timeout: 240_000 });
}

describe(`a drive of ${FOLDERS * FILES_PER_FOLDER + FOLDERS + 1} entries under a ${HEAP_LIMIT_MB} MB heap`, () => {
  it(
    'is sealed, listed, opened by folder and whole, and verified, alone and as a set of two drives; holding every entry in memory under the same limit fails',
    { timeout: 480_000 },
    () => {
      if (!existsSync(engine)) throw new Error('dist/ is missing: run `npm run build` first (npm test does it)');
      const dir = scratch();
      try {
        const source = join(dir, 'src', 'export');
        for (let d = 0; d < FOLDERS; d++) {
          const folder = join(source, `d${String(d).padStart(3, '0')}`);
          mkdirSync(folder, { recursive: true });
          for (let f = 0; f < FILES_PER_FOLDER; f++) writeFileSync(join(folder, `courriel-${String(f).padStart(5, '0')}.eml`), `m${d}-${f}`.repeat(f % 7));
        }
        const { root, station, escrow } = makeKeys();
        const params = {
          engine,
          source,
          target: join(dir, 'target'),
          dest: join(dir, 'restored'),
          destAll: join(dir, 'restored-all'),
          folder: 'export/d077',
          manyFolders: MANY_FOLDERS.map((d) => `export/d${String(d).padStart(3, '0')}`),
          destMany: join(dir, 'restored-many'),
          rootPublicKey: encodeBase64(root.publicKey),
          escrowPublicKey: encodeBase64(escrow.publicKey),
          escrowSecretKey: encodeBase64(escrow.secretKey),
          station: { id: station.id, certificate: station.certificate, secretKey: encodeBase64(station.secretKey), publicKey: encodeBase64(station.publicKey) },
        };
        mkdirSync(params.target);
        const paramsFile = join(dir, 'params.json');
        writeFileSync(paramsFile, JSON.stringify(params));

        const started = performance.now();
        const run = runChild('stream', paramsFile);
        expect(run.stderr).not.toMatch(/heap out of memory/i);
        expect(run.status).toBe(0);
        const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        const entries = FOLDERS * FILES_PER_FOLDER + FOLDERS + 1;
        expect(seen).toMatchObject({
          sealed: { files: FOLDERS * FILES_PER_FOLDER },
          listed: entries,
          opened: { files: FILES_PER_FOLDER, verified: true },
          openedMany: { files: MANY_FOLDERS.length * FILES_PER_FOLDER, verified: true },
          openedAll: { files: FOLDERS * FILES_PER_FOLDER, verified: true },
          verified: { ok: true, files: FOLDERS * FILES_PER_FOLDER, problems: [] },
        });
        expect(seen.indexBytes).toBeGreaterThan(HEAP_LIMIT_MB * 1024 * 1024 * 0.8);
        expect(readdirSync(join(params.dest, 'export/d077'))).toHaveLength(FILES_PER_FOLDER);
        expect(readdirSync(join(params.destMany, 'export'))).toHaveLength(MANY_FOLDERS.length);
        expect(readdirSync(join(params.destAll, 'export'))).toHaveLength(FOLDERS);
        console.log(
          `scale: ${entries} entries, index ${(seen.indexBytes / 1e6).toFixed(1)} MB, heap limit ${HEAP_LIMIT_MB} MB, peak heap used ${seen.heapPeakMb} MB, seal+list+open folder+open all+verify ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );

        // The same entries as a set of two members: sealed, opened whole from both, each member verified alone.
        const setTargets = [join(dir, 'member-1'), join(dir, 'member-2')];
        for (const t of setTargets) mkdirSync(t);
        const setPartSize = 8 << 20;
        const setParams = {
          ...params,
          setTargets,
          setPartSize,
          setMemberBytes: indexAndSlackBytes(entries) + 8 * streamCiphertextSize(setPartSize),
          destSet: join(dir, 'restored-set'),
        };
        writeFileSync(paramsFile, JSON.stringify(setParams));
        rmSync(params.destAll, { recursive: true, force: true });
        const setStarted = performance.now();
        const setRun = runChild('set', paramsFile);
        expect(setRun.stderr).not.toMatch(/heap out of memory/i);
        expect(setRun.status, setRun.stderr).toBe(0);
        const setSeen = JSON.parse(setRun.stdout.trim().split('\n').at(-1)!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
        expect(setSeen).toMatchObject({
          members: [
            { position: 1, parts: 8, indexComplete: true },
            { position: 2, indexComplete: true },
          ],
          openedSet: { files: FOLDERS * FILES_PER_FOLDER, verified: true, absent: 0 },
          membersVerified: [{ problems: [] }, { problems: [] }],
        });
        expect(readdirSync(join(setParams.destSet, 'export'))).toHaveLength(FOLDERS);
        console.log(`scale (set of 2): peak heap used ${setSeen.heapPeakMb} MB, seal+open+verify each ${((performance.now() - setStarted) / 1000).toFixed(1)} s`);

        writeFileSync(paramsFile, JSON.stringify({ ...params, driveDir: seen.driveDir }));
        const collect = runChild('collect', paramsFile);
        expect(collect.status).not.toBe(0);
        expect(collect.stderr).toMatch(/heap out of memory|allocation failed/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
