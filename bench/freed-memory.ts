// Freed memory on a virtual machine that hands it back to its host (Linux free page reporting,
// virtio-balloon): every page written after the host took it back costs a host fault. Measured
// on the bench's VM (docs/BENCHMARKS.md, session 14): 1 GiB written to tmpfs took 0.2 s into
// memory the guest held and 1.0–2.6 s into memory the host had taken back, so a run that writes
// gigabytes was 2× slower or not depending on what ran before it. This module reads how much
// the host took back, and, on request (root), keeps freed memory in the guest for a run.
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Where Linux exposes free page reporting's settings and counters. */
export const PAGE_REPORTING_DIR = '/sys/module/page_reporting/parameters';

/**
 * An order no free block reaches (orders run 0 to 10 with 4 KiB pages): with it, no freed
 * memory is reported to the host.
 */
export const NO_REPORTING_ORDER = 11;

/** Free page reporting as the kernel shows it. */
export interface PageReporting {
  /** Free blocks of 2^order pages and larger are reported; NO_REPORTING_ORDER or more: none. */
  order: number;
  /** KiB reported to the host since boot (null when this kernel does not count them). */
  reportedKiB: number | null;
}

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Free page reporting on this machine, or null when the kernel has none (no balloon, or not Linux). */
export function readPageReporting(dir: string = PAGE_REPORTING_DIR): PageReporting | null {
  const order = readNumber(join(dir, 'page_reporting_order'));
  if (order === null) return null;
  return { order, reportedKiB: readNumber(join(dir, 'reported_kib')) };
}

/** True when freed memory goes back to the host. */
export function reportsFreedMemory(r: PageReporting | null): boolean {
  return r !== null && r.order < NO_REPORTING_ORDER;
}

/** KiB reported to the host since boot, or null when not counted (for the difference around a command). */
export function reportedKiB(dir: string = PAGE_REPORTING_DIR): number | null {
  return readNumber(join(dir, 'reported_kib'));
}

/** Freed memory kept in the guest until `restore` (see {@link holdFreedMemory}). */
export interface HeldMemory {
  /** The order the kernel had. */
  previousOrder: number;
  /** Puts the kernel's order back (idempotent; never throws: a failure is returned as a message). */
  restore(): string | null;
}

/**
 * Stops free page reporting for the bench's run: sets page_reporting_order to
 * NO_REPORTING_ORDER and checks the kernel took it. Throws an Error saying what to do when there
 * is no free page reporting here, when it cannot be changed (not root), or when the kernel
 * refuses the order.
 */
export function holdFreedMemory(dir: string = PAGE_REPORTING_DIR): HeldMemory {
  const now = readPageReporting(dir);
  if (now === null) throw new Error(`--hold-memory: this machine has no free page reporting (${dir}): there is nothing to hold; run without it`);
  const file = join(dir, 'page_reporting_order');
  try {
    writeFileSync(file, `${NO_REPORTING_ORDER}\n`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`--hold-memory: cannot write ${file} (${code ?? String(e)}): run the bench as root, or without --hold-memory`, { cause: e });
  }
  const after = readPageReporting(dir);
  if (after?.order !== NO_REPORTING_ORDER) {
    try {
      writeFileSync(file, `${now.order}\n`);
    } catch {
      /* it did not take the first write's value either */
    }
    throw new Error(`--hold-memory: the kernel kept page_reporting_order at ${after?.order ?? '?'}: this kernel cannot stop reporting; run without --hold-memory`);
  }
  let restored = false;
  return {
    previousOrder: now.order,
    restore() {
      if (restored) return null;
      restored = true;
      try {
        writeFileSync(file, `${now.order}\n`);
        return null;
      } catch (e) {
        return `could not put ${file} back to ${now.order} (${(e as Error).message}): do it by hand (echo ${now.order} > ${file})`;
      }
    },
  };
}

/** Free memory and how long it took to write into it, from {@link warmFreeMemory}. */
export interface Warmed {
  bytes: number;
  seconds: number;
}

/**
 * Writes `bytes` into a file in `tmpfsDir` (then deletes it), so that the host backs that much of
 * the guest's free memory before the runs: once reporting is held, it stays backed. Returns what
 * was written and how long it took.
 */
export function warmFreeMemory(tmpfsDir: string, bytes: number): Warmed {
  const block = Buffer.alloc(8 << 20, 0x5a);
  const file = join(tmpfsDir, `warm-${process.pid}.bin`);
  const t0 = performance.now();
  let done = 0;
  const fd = openSync(file, 'w');
  try {
    while (done < bytes) done += writeSync(fd, block, 0, Math.min(block.length, bytes - done));
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return { bytes: done, seconds: (performance.now() - t0) / 1000 };
}

/** The memory to warm: what is available, less a margin, and no more than the tmpfs can hold. */
export function warmBytes(memAvailableBytes: number, tmpfsFreeBytes: number): number {
  const margin = 1 << 30;
  return Math.max(0, Math.min(memAvailableBytes - margin, tmpfsFreeBytes - margin));
}

/** MemAvailable from /proc/meminfo, in bytes (0 when unknown). */
export function memAvailableBytes(meminfo: string = readMeminfo()): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : 0;
}

function readMeminfo(): string {
  try {
    return readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return '';
  }
}
