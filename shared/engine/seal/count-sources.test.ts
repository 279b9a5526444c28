import { describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { bytes, tempDir, writeTree } from '../../../test/support/engine-fixtures.js';
import { countSourceTotals, scanSources } from './count-sources.js';
import { ScanTally, walkSources } from './scan.js';
import { BatchPlanner } from './batch-plan.js';

describe('the count before a seal (count-sources.ts)', () => {
  it('finds the totals, tar size, fingerprint and batch plan that walking the sources one entry at a time finds', async () => {
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 5000; i++) tree[`data/d${i % 7}/s${i % 2}/f${i}.bin`] = bytes(i % 11 === 0 ? 0 : (i * 37) % 3000, i);
    tree['data/d3/large.bin'] = bytes(3 << 20, 5);
    tree['file.txt'] = Buffer.from('a file source');
    writeTree(src, tree);
    mkdirSync(join(src, 'data/empty'));
    symlinkSync('../file.txt', join(src, 'data/d1/link'));
    const sources = [join(src, 'data'), join(src, 'file.txt')];
    const slot = 256 << 10;
    const counted = await scanSources(sources, { batchSlotSize: slot });
    const tally = new ScanTally(new BatchPlanner(slot));
    for (const e of walkSources(sources)) tally.add(e);
    const walked = tally.result();
    expect(counted).toMatchObject({ entries: walked.entries, files: 5002, bytes: walked.bytes, tarSize: walked.tarSize, fingerprint: walked.fingerprint });
    expect(counted.plan!.length).toBe(walked.plan!.length);
    for (let i = 0; i < walked.plan!.length; i++) expect(counted.plan!.run(i)).toEqual(walked.plan!.run(i));
    const large = [...Array(counted.plan!.length).keys()].filter((i) => counted.plan!.run(i).inline);
    expect(large).toHaveLength(1);
    // The one entry larger than a slot: its header and its 3 MiB, which the sealing loop writes itself.
    expect(counted.plan!.largeBytes).toBe(counted.plan!.run(large[0]!).tarBytes);
    expect(counted.plan!.largeBytes).toBeGreaterThan(3 << 20);
  });

  it('reports the count as it goes and refuses a missing source', async () => {
    const src = tempDir();
    writeTree(src, { 'a/x.txt': 'x', 'a/y.txt': 'yy' });
    const seen: number[] = [];
    expect(await scanSources([join(src, 'a')], { onCount: (files) => seen.push(files) })).toMatchObject({ entries: 3, files: 2, bytes: 3 });
    expect(seen.at(-1)).toBe(2);
    await expect(scanSources([join(src, 'missing')])).rejects.toMatchObject({ code: 'E_SOURCE_NOT_FOUND' });
  });

  it('counts files, folders (the sources included) and bytes for the count shown before a seal, and refuses what the seal refuses', async () => {
    const src = tempDir();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 3000; i++) tree[`lot/d${i % 7}/f${i}.bin`] = bytes(i % 50, i);
    tree['solo.txt'] = Buffer.from('one');
    writeTree(src, tree);
    mkdirSync(join(src, 'lot/empty'));
    symlinkSync('../solo.txt', join(src, 'lot/link')); // a link is neither a file nor a folder
    const bytesIn = Object.values(tree).reduce((n, b) => n + b.length, 0);
    const seen: { files: number; folders: number; bytes: number }[] = [];
    const totals = await countSourceTotals([join(src, 'lot'), join(src, 'solo.txt')], { onCount: (t) => seen.push(t) });
    expect(totals).toEqual({ files: 3001, folders: 9, bytes: bytesIn }); // lot, d0…d6, empty
    expect(seen.at(-1)).toEqual(totals);
    // A FIFO cannot be sealed: the count says so before the technician starts the seal.
    execFileSync('mkfifo', [join(src, 'lot/d3/pipe')]);
    await expect(countSourceTotals([join(src, 'lot')])).rejects.toMatchObject({ code: 'E_SOURCE_UNSUPPORTED' });
    const controller = new AbortController();
    controller.abort();
    await expect(countSourceTotals([join(src, 'solo.txt')], { signal: controller.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});
