/** The app's `sealed` events (electron/handlers/custody.ts recordSealed): one per drive, a set member's naming its set. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateStation } from '../station.js';
import { recordSealed } from './custody.js';
import type { HandlerContext } from './context.js';

const dir = mkdtempSync(join(tmpdir(), 'scelle-app-sealed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function recorded(r: Parameters<typeof recordSealed>[1]) {
  const stationKeyFile = join(dir, 'station.key');
  await loadOrCreateStation(stationKeyFile, 'station-app-1');
  const calls: { driveId: string; type: string; data: Record<string, unknown> }[] = [];
  const ctx = { deps: { stationKeyFile, custody: { record: async (req: (typeof calls)[number]) => void calls.push(req) } } } as unknown as HandlerContext;
  await recordSealed(ctx, r);
  return calls;
}

const key = 'A'.repeat(43) + '=';
/** The certificate the seal wrote into the manifest (the seal's answer says which). */
const cert = 'c'.repeat(64);
const member = (position: number, driveId: string) => ({ position, driveId, parts: 2, tarBytes: 500, manifestSha256: String(position).repeat(64), customerPublicKey: key });

describe('recordSealed (app)', () => {
  it("records a set member's sealed event naming the set, its position and what it holds", async () => {
    const set = { id: 'SETAPP', members: [member(1, 'D1'), member(2, 'D2')] };
    // the app passes each member as the drive, with the seal's set
    const calls = await recorded({ driveId: 'D2', manifestSha256: '2'.repeat(64), files: 9, bytes: 900, parts: 2, customerPublicKey: key, stationCertificateSha256: cert, set });
    expect(calls).toEqual([
      {
        driveId: 'D2',
        type: 'sealed',
        data: expect.objectContaining({
          manifestSha256: '2'.repeat(64),
          parts: 4,
          stationCertificateSha256: cert,
          set: { id: 'SETAPP', position: 2, members: 2, driveIds: ['D1', 'D2'], parts: 2, tarBytes: 500 },
        }),
      },
    ]);
  });

  it('records a drive sealed alone as before, without a set', async () => {
    const calls = await recorded({ driveId: 'D9', manifestSha256: '9'.repeat(64), files: 9, bytes: 900, parts: 1, customerPublicKey: key, stationCertificateSha256: cert });
    expect(calls[0]!.data).not.toHaveProperty('set');
    expect(calls[0]!.data).toMatchObject({ files: 9, bytes: 900, parts: 1 });
  });
});
