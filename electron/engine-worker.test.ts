import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const workerJs = new URL('../dist/electron/engine-worker.js', import.meta.url);
const hostJs = new URL('../dist/electron/engine-host.js', import.meta.url);

// The real worker runs compiled JavaScript: this test needs `npm run build` first.
describe.skipIf(!existsSync(workerJs) || !existsSync(hostJs))('compiled engine worker (after npm run build)', () => {
  it('runs engine calls off the main thread with the real engine', async () => {
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
    } finally {
      await host.close();
    }
  });
});
