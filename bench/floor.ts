// The format's floor on this machine: what scelle/1 costs at the very least per byte, from the
// throughput of its building blocks measured here, in the same run as the tools. A seal must
// read every byte, hash it (SHA-256 of each file, for the index), encrypt it (AES-256-GCM),
// hash the ciphertext (SHA-256 of each part, for the manifest) and write it; an open must
// read, decrypt, hash (to check each file against the index) and write. With every core busy
// and no other cost at all, a run cannot take less than bytes × (sum of the steps) ÷ cores.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GOALS, verdict, type Op, type TargetVerdict } from './report.js';

/** Nanoseconds per byte of each step, as Node does it here (the way scelle does it). */
export interface StepCosts {
  sha256: number;
  aesGcm: number;
  tmpfsWrite: number;
  tmpfsRead: number;
}

const SAMPLE = 256 << 20;
const BLOCK = 1 << 20;
const SLICE = 64 << 10;

function nsPerByte(run: () => void, bytes: number, repeat = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t));
  }
  return best / bytes;
}

/** Measures the steps (best of 3 over 256 MiB each) with a scratch file in `dir` (tmpfs). */
export function measureStepCosts(dir: string): StepCosts {
  const block = randomBytes(BLOCK);
  const key = randomBytes(32);
  const sha256 = nsPerByte(() => {
    const h = createHash('sha256');
    for (let done = 0; done < SAMPLE; done += BLOCK) h.update(block);
    h.digest();
  }, SAMPLE);
  const aesGcm = nsPerByte(() => {
    for (let done = 0, n = 0; done < SAMPLE; done += BLOCK, n++) {
      const iv = Buffer.alloc(12);
      iv.writeUInt32BE(n, 4);
      const c = createCipheriv('aes-256-gcm', key, iv);
      for (let p = 0; p < BLOCK; p += SLICE) c.update(block.subarray(p, p + SLICE));
      c.final();
    }
  }, SAMPLE);
  const file = join(dir, `floor-${process.pid}.bin`);
  let tmpfsWrite = Infinity;
  let tmpfsRead = Infinity;
  try {
    for (let i = 0; i < 3; i++) {
      rmSync(file, { force: true });
      tmpfsWrite = Math.min(
        tmpfsWrite,
        nsPerByte(
          () => {
            const fd = openSync(file, 'w');
            for (let done = 0; done < SAMPLE; done += BLOCK) writeSync(fd, block);
            closeSync(fd);
          },
          SAMPLE,
          1,
        ),
      );
      const into = Buffer.allocUnsafe(BLOCK);
      tmpfsRead = Math.min(
        tmpfsRead,
        nsPerByte(
          () => {
            const fd = openSync(file, 'r');
            while (readSync(fd, into, 0, BLOCK, null) > 0);
            closeSync(fd);
          },
          SAMPLE,
          1,
        ),
      );
    }
  } finally {
    rmSync(file, { force: true });
  }
  return { sha256, aesGcm, tmpfsWrite, tmpfsRead };
}

/**
 * One write of 256 MiB into a new file in `dir` (tmpfs), removed after: what writing into fresh
 * memory costs right now. The floor's write is the best of three, on memory just freed; on a VM
 * that hands freed memory back to its host, a fresh write can cost several times that, and so
 * does every restore into tmpfs (docs/BENCHMARKS.md, session 11).
 */
export function freshWriteNsPerByte(dir: string): number {
  const block = Buffer.alloc(BLOCK, 0x5a);
  const file = join(dir, `fresh-${process.pid}.bin`);
  try {
    return nsPerByte(
      () => {
        const fd = openSync(file, 'w');
        for (let done = 0; done < SAMPLE; done += BLOCK) writeSync(fd, block);
        closeSync(fd);
      },
      SAMPLE,
      1,
    );
  } finally {
    rmSync(file, { force: true });
  }
}

/** CPU nanoseconds per byte that `op` needs at the least. */
export function floorNsPerByte(op: Op, c: StepCosts): number {
  return op === 'seal' ? c.tmpfsRead + c.sha256 + c.aesGcm + c.sha256 + c.tmpfsWrite : c.tmpfsRead + c.aesGcm + c.sha256 + c.tmpfsWrite;
}

/** The shortest possible wall time of `op` over `bytes` on `cores` cores, plus the fixed cost of a run. */
export function floorSeconds(op: Op, c: StepCosts, bytes: number, cores: number, fixedSeconds: number): number {
  return (bytes * floorNsPerByte(op, c)) / cores / 1e9 + fixedSeconds;
}

/** The floor + files + fixed of `r`, in seconds (see {@link formatFloor}). */
export function floorFilesFixedSeconds(c: StepCosts, cores: number, fixedSeconds: number, r: FloorRow): number {
  const files = r.tarAloneSeconds === undefined ? 0 : perFileSeconds(c, r.bytes, r.tarAloneSeconds) / cores;
  return floorSeconds(r.op, c, r.bytes, cores, 0) + files + fixedSeconds;
}

/** The floor + files + fixed + count of a seal row whose count and tar alone were measured, else undefined. */
export function withCountSeconds(c: StepCosts, cores: number, fixedSeconds: number, r: FloorRow): number | undefined {
  if (r.op !== 'seal' || r.countSeconds === undefined || r.tarAloneSeconds === undefined) return undefined;
  return floorFilesFixedSeconds(c, cores, fixedSeconds, r) + r.countSeconds;
}

/**
 * One verdict per row whose workload has a line in GOALS.floor (report.ts): scelle's time ÷ its floor +
 * files + fixed, at most the goal. A row measured without tar alone cannot be judged (NaN, never a pass).
 */
export function floorTargets(c: StepCosts, cores: number, fixedSeconds: number, rows: FloorRow[]): TargetVerdict[] {
  return rows.flatMap((r) => {
    const goal = GOALS.floor[r.workload];
    if (goal === undefined) return [];
    const measured = r.tarAloneSeconds === undefined ? NaN : r.scelleSeconds / floorFilesFixedSeconds(c, cores, fixedSeconds, r);
    return [verdict(r.workload, `${r.op} ${r.workload} ≤ ${goal}× floor + files + fixed`, measured, '≤', goal, '×')];
  });
}

/** One target set beside the floor. */
export interface FloorRow {
  workload: string;
  op: Op;
  bytes: number;
  goal: number;
  baselineSeconds: number;
  scelleSeconds: number;
  /** Wall time of `tar -c` (seal) or `tar -x` (open) alone on the workload, one thread, when measured. */
  tarAloneSeconds?: number;
  /** A seal's count alone on the workload (seal-count.ts), when measured: a seal pays it before it writes. */
  countSeconds?: number;
}

/**
 * The file system's own per-file work on the workload (open, stat, create, close…), from tar
 * alone: its time minus the per-byte read and write it also did. Never negative.
 */
export function perFileSeconds(c: StepCosts, bytes: number, tarAloneSeconds: number): number {
  return Math.max(0, tarAloneSeconds - (bytes * (c.tmpfsRead + c.tmpfsWrite)) / 1e9);
}

/** The printed explanation: steps, floors, and where each speed target lies against them. */
export function formatFloor(c: StepCosts, cores: number, fixedSeconds: number, rows: FloorRow[]): string {
  const f = (x: number) => x.toFixed(2);
  const lines = [
    `Format floor: scelle/1's unavoidable work per byte on this machine (${cores} cores all busy, no other cost)`,
    '-'.repeat(64),
    `measured here: SHA-256 ${f(c.sha256)} ns/B, AES-256-GCM ${f(c.aesGcm)} ns/B, tmpfs write ${f(c.tmpfsWrite)} ns/B, tmpfs read ${f(c.tmpfsRead)} ns/B`,
    `seal = read + SHA-256 (files) + AES-GCM + SHA-256 (parts) + write = ${f(floorNsPerByte('seal', c))} ns/B;  open = read + AES-GCM + SHA-256 (files) + write = ${f(floorNsPerByte('open', c))} ns/B`,
    `"floor" is that per-byte work on all cores; "+ files" adds the file system's per-file work (tar -c / tar -x alone, minus their reads and writes),`,
    `also spread over all cores; "+ fixed" adds scelle's fixed cost per run (${f(fixedSeconds)} s, measured above);`,
    `"+ count" (seal only) adds the seal's count alone, its first pass over the sources before it writes (totals for the progress and its ETA, the exact space check).`,
  ];
  for (const r of rows) {
    const floor = floorSeconds(r.op, c, r.bytes, cores, 0);
    const files = floorFilesFixedSeconds(c, cores, 0, r) - floor;
    const allowed = r.baselineSeconds / r.goal;
    const where =
      allowed < floor
        ? 'below the floor: unreachable with this format in Node on this machine'
        : allowed < floor + files
          ? 'below the floor + files: unreachable with this format in Node on this machine'
          : allowed < floor + files + fixedSeconds
            ? 'below the floor + files + fixed'
            : 'above the floor + files + fixed';
    const withCount = withCountSeconds(c, cores, fixedSeconds, r);
    const count = withCount === undefined ? '' : `, + count ${f(withCount)} s`;
    const against = withCount === undefined ? '' : ` (${f(r.scelleSeconds / withCount)}× the floor + files + fixed + count)`;
    lines.push(
      `${r.op} ${r.workload}: floor ${f(floor)} s, + files ${f(floor + files)} s, + fixed ${f(floor + files + fixedSeconds)} s${count}; scelle ${f(r.scelleSeconds)} s${against}; ${r.goal}× the baseline means ≤ ${f(allowed)} s: ${where}`,
    );
  }
  return lines.join('\n');
}
