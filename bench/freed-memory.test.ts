import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdFreedMemory, memAvailableBytes, NO_REPORTING_ORDER, readPageReporting, reportsFreedMemory, warmBytes, warmFreeMemory } from './freed-memory.js';

describe('freed memory handed back to the host (freed-memory.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scelle-freed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in for /sys/module/page_reporting/parameters. */
  const fakeKernel = (order: number, reportedKiB?: number) => {
    writeFileSync(join(dir, 'page_reporting_order'), `${order}\n`);
    if (reportedKiB !== undefined) writeFileSync(join(dir, 'reported_kib'), `${reportedKiB}\n`);
  };

  it('reads the order and the KiB reported, and tells whether freed memory goes back to the host', () => {
    expect(readPageReporting(join(dir, 'absent'))).toBeNull();
    expect(reportsFreedMemory(null)).toBe(false);
    fakeKernel(9, 397567092);
    expect(readPageReporting(dir)).toEqual({ order: 9, reportedKiB: 397567092 });
    expect(reportsFreedMemory(readPageReporting(dir))).toBe(true);
    fakeKernel(NO_REPORTING_ORDER);
    rmSync(join(dir, 'reported_kib'));
    expect(readPageReporting(dir)).toEqual({ order: NO_REPORTING_ORDER, reportedKiB: null });
    expect(reportsFreedMemory(readPageReporting(dir))).toBe(false);
  });

  it('holds freed memory for a run and puts the order back once, whatever calls restore', () => {
    fakeKernel(9, 0);
    const held = holdFreedMemory(dir);
    expect(held.previousOrder).toBe(9);
    expect(readFileSync(join(dir, 'page_reporting_order'), 'utf8').trim()).toBe(String(NO_REPORTING_ORDER));
    expect(held.restore()).toBeNull();
    expect(readFileSync(join(dir, 'page_reporting_order'), 'utf8').trim()).toBe('9');
    // A second restore (the signal handler after finally, say) changes nothing.
    writeFileSync(join(dir, 'page_reporting_order'), '7\n');
    expect(held.restore()).toBeNull();
    expect(readFileSync(join(dir, 'page_reporting_order'), 'utf8').trim()).toBe('7');
  });

  it('refuses, saying what to do, where there is no free page reporting', () => {
    expect(() => holdFreedMemory(join(dir, 'absent'))).toThrow(/no free page reporting.*run without it/);
    // An order that cannot be read is no free page reporting either (nothing is written).
    mkdirSync(join(dir, 'page_reporting_order'));
    expect(() => holdFreedMemory(dir)).toThrow(/no free page reporting/);
  });

  it('writes the free memory once and leaves nothing behind', () => {
    const w = warmFreeMemory(dir, 3 * (8 << 20) + 5);
    expect(w.bytes).toBe(3 * (8 << 20) + 5);
    expect(w.seconds).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, `warm-${process.pid}.bin`))).toBe(false);
  });

  it('warms what is available less a 1 GiB margin, within the tmpfs, never a negative amount', () => {
    const GiB = 2 ** 30;
    expect(warmBytes(13 * GiB, 15 * GiB)).toBe(12 * GiB);
    expect(warmBytes(13 * GiB, 4 * GiB)).toBe(3 * GiB);
    expect(warmBytes(GiB / 2, 15 * GiB)).toBe(0);
    expect(memAvailableBytes('MemTotal:       24683756 kB\nMemAvailable:   13000000 kB\n')).toBe(13000000 * 1024);
    expect(memAvailableBytes('')).toBe(0);
  });
});
