import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../../../test/support/engine-fixtures.js';
import type { ScelleError } from '../../errors/scelle-error.js';
import { startEngineWorker } from './worker-host.js';

function script(body: string): URL {
  const file = join(tempDir(), 'worker.mjs');
  writeFileSync(file, `import { parentPort, workerData } from 'node:worker_threads';\n${body}\n`);
  return pathToFileURL(file);
}

function run(body: string, retireOnMessage = false): Promise<{ messages: unknown[]; failure: ScelleError | null }> {
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    const host = startEngineWorker(
      script(body),
      { name: 'test worker', workerData: 7 },
      (m) => {
        messages.push(m);
        if (retireOnMessage) host.retire();
      },
      (failure) => resolve({ messages, failure }),
    );
    host.worker.on('exit', () => setTimeout(() => resolve({ messages, failure: null }), 20));
  });
}

describe('engine worker host', () => {
  it('reports a worker that throws, or exits without being retired, as E_INTERNAL naming it', async () => {
    const crashed = await run(`throw new Error('boom ' + workerData);`);
    expect(crashed.failure).toMatchObject({ code: 'E_INTERNAL', message: 'test worker failed: boom 7' });
    const exited = await run(`parentPort.postMessage('hello'); process.exit(3);`);
    expect(exited.messages).toEqual(['hello']);
    expect(exited.failure).toMatchObject({ code: 'E_INTERNAL', message: 'test worker stopped early' });
  });

  it('lets a retired worker exit, and stops one on request, without a failure', async () => {
    const done = await run(`parentPort.postMessage('done'); setTimeout(() => process.exit(0), 10);`, true);
    expect(done).toEqual({ messages: ['done'], failure: null });
    let failed = false;
    const host = startEngineWorker(
      script(`setInterval(() => {}, 1000);`),
      { name: 'idle worker' },
      () => undefined,
      () => {
        failed = true;
      },
    );
    await host.stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(failed).toBe(false);
  });
});
