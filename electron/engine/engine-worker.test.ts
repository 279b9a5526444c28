import { cpSync, existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EngineRestartReason } from './engine-host.js';

const workerJs = new URL('../../dist/electron/engine/engine-worker.js', import.meta.url);
const hostJs = new URL('../../dist/electron/engine/engine-host.js', import.meta.url);
const fixtureDrive = new URL('../../test/fixtures/drive-v1/SCELLE-GCK86F9V2FQTANES', import.meta.url);

/** An engine whose verify never returns and never looks at its signal (a stuck or hostile job). */
const STUCK_ENGINE = `
  const never = () => { for (;;) { /* a synchronous loop: the thread cannot even read a cancel */ } };
  export const seal = never, open = never, openIndex = never, closeUnlocked = () => {}, browseFolder = never, searchNames = never, eraseDrive = never;
  export const loadDrive = never, loadDrives = never, unlockDrives = never, absentMembersFor = never, countSourceTotals = never;
  export const verify = () => never();
  export const inspect = (driveDir) => ({ driveDir, driveId: 'STUCKENGINE', answeredBy: 'a fresh engine' });
`;

// The real worker runs compiled JavaScript: this test needs `npm run build` first.
describe.skipIf(!existsSync(workerJs) || !existsSync(hostJs))('compiled engine worker (after npm run build)', () => {
  it('runs engine calls off the main thread with the real engine, erase included', async () => {
    const { WorkerEngineHost } = (await import(hostJs.href)) as typeof import('./engine-host.js');
    const seen: string[] = [];
    const host = new WorkerEngineHost(workerJs, (jobId) => seen.push(jobId));
    try {
      const dir = await mkdtemp(join(tmpdir(), 'scelle-worker-real-'));
      await writeFile(join(dir, 'a.txt'), 'hello');
      expect(await host.call({ op: 'count', jobId: 'job-count-01', args: { paths: [dir] } })).toEqual({ files: 1, directories: 1, bytes: 5 });
      await expect(host.call({ op: 'inspect', args: { driveDir: dir } })).rejects.toMatchObject({ code: 'E_FORMAT_MANIFEST' });
      await expect(host.call({ op: 'browse', args: { sessionId: 's_nonexistent_session', folder: '', start: 0, limit: 10 } })).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(host.call({ op: 'search', args: { sessionId: 's_nonexistent_session', query: 'a', limit: 10 } })).rejects.toMatchObject({ code: 'E_USAGE' });
      const copy = join(dir, 'SCELLE-GCK86F9V2FQTANES');
      cpSync(fixtureDrive, copy, { recursive: true });
      await expect(host.call({ op: 'erase', args: { driveDir: dir } })).resolves.toMatchObject({ driveId: 'GCK86F9V2FQTANES', verification: { result: 'pass' } });
      expect(existsSync(copy)).toBe(false);
    } finally {
      await host.close();
    }
  });

  it('kills an engine stuck in a job that ignores cancel, and serves the next call from a new one', async () => {
    const { WorkerEngineHost } = (await import(hostJs.href)) as typeof import('./engine-host.js');
    const dir = await mkdtemp(join(tmpdir(), 'scelle-worker-stuck-'));
    const engineFile = join(dir, 'stuck-engine.mjs');
    await writeFile(engineFile, STUCK_ENGINE);
    const restarts: EngineRestartReason[] = [];
    const host = new WorkerEngineHost(workerJs, () => undefined, { engineUrl: pathToFileURL(engineFile).href, cancelGraceMs: 300, onRestart: (r) => restarts.push(r) });
    try {
      const stuck = host.call({ op: 'verify', jobId: 'job-stuck-01', args: { driveDir: dir } });
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      expect(await host.cancel('job-stuck-01')).toBe(true);
      await expect(stuck).rejects.toMatchObject({ code: 'E_CANCELLED' });
      const waited = performance.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5000);
      expect(restarts).toEqual(['stuck-cancel']);
      expect(await host.call({ op: 'inspect', args: { driveDir: dir } })).toMatchObject({ driveId: 'STUCKENGINE', answeredBy: 'a fresh engine' });
    } finally {
      await host.close();
    }
  });
});
