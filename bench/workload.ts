// Deterministic benchmark workloads on tmpfs, cached between invocations.
//
// Content is the AES-256-CTR keystream of a fixed key (fast, incompressible, reproducible);
// small-file sizes (small, many) and the tree come from a seeded PRNG. A workload directory holds `src/`
// (what is sealed) and `workload.json` (the marker: parameters, counts and reference hashes),
// written last, so a half-generated workload is never mistaken for a complete one.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

export type WorkloadName = 'large' | 'small' | 'many';

export interface WorkloadParams {
  name: WorkloadName;
  /** Bumped whenever the generator changes, so old caches are not reused. */
  generator: number;
  seed: number;
  files: number;
  /** large: every file's size; small: bounds of the log-uniform size distribution; many: of the uniform one. */
  fileSize?: number;
  minSize?: number;
  maxSize?: number;
  filesPerDir?: number;
  dirsPerTop?: number;
  /** many: the number of folders (all directly under src/). */
  folders?: number;
}

export interface Workload {
  params: WorkloadParams;
  dir: string;
  src: string;
  files: number;
  dirs: number;
  bytes: number;
  /** Relative path (under src/) → SHA-256 hex, for a sample of files. */
  hashes: Record<string, string>;
}

const GENERATOR_VERSION = 1;
const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;

export function workloadParams(name: WorkloadName, scale: number): WorkloadParams {
  if (name === 'large') {
    // 4 × 512 MiB at scale 1 (2 GiB); sizes rounded to 64 KiB.
    const fileSize = Math.max(64 * 1024, Math.round((512 * MiB * scale) / 65536) * 65536);
    return { name, generator: GENERATOR_VERSION, seed: 1, files: 4, fileSize };
  }
  if (name === 'many') {
    // 1,000,000 files of 0–200 bytes in 1,000 folders at scale 1.
    return {
      name,
      generator: GENERATOR_VERSION,
      seed: 3,
      files: Math.max(1, Math.round(1_000_000 * scale)),
      folders: Math.max(1, Math.round(1000 * scale)),
      minSize: 0,
      maxSize: 200,
    };
  }
  return {
    name,
    generator: GENERATOR_VERSION,
    seed: 2,
    files: Math.max(100, Math.round(50_000 * scale)),
    minSize: 512,
    maxSize: 64 * 1024,
    filesPerDir: 100,
    dirsPerTop: 25,
  };
}

/** Upper bound of the bytes a workload's src/ takes on tmpfs (page rounding per file). */
export function estimateBytes(p: WorkloadParams): number {
  if (p.name === 'large') return p.files * (p.fileSize ?? 0);
  // Every non-empty file of at most 4 KiB takes one page.
  if (p.name === 'many') return p.files * 4096;
  // Mean of a log-uniform distribution on [a, b] is (b − a) / ln(b / a).
  const a = p.minSize ?? 512,
    b = p.maxSize ?? 65536;
  return p.files * ((b - a) / Math.log(b / a) + 4096);
}

export function workloadDirName(p: WorkloadParams): string {
  const tag = createHash('sha256').update(JSON.stringify(p)).digest('hex').slice(0, 10);
  return `${p.name}-${p.files}f-${tag}`;
}

/** mulberry32: a tiny seeded PRNG, enough for sizes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An endless AES-256-CTR keystream, fixed key and IV derived from the seed and a stream number. */
class Keystream {
  private readonly cipher;
  private readonly zeros = Buffer.alloc(CHUNK);
  private buf = Buffer.alloc(0);
  constructor(seed: number, stream: number) {
    const key = createHash('sha256').update(`scelle-bench key ${seed}`).digest();
    const iv = createHash('sha256').update(`scelle-bench iv ${seed} ${stream}`).digest().subarray(0, 16);
    this.cipher = createCipheriv('aes-256-ctr', key, iv);
  }
  take(n: number): Buffer {
    if (n > this.buf.length) {
      const more = this.cipher.update(this.zeros.subarray(0, Math.max(CHUNK, n - this.buf.length)));
      this.buf = this.buf.length ? Buffer.concat([this.buf, more]) : more;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

function readMarker(dir: string, p: WorkloadParams): Workload | null {
  const marker = join(dir, 'workload.json');
  if (!existsSync(marker) || !existsSync(join(dir, 'src'))) return null;
  try {
    const w = JSON.parse(readFileSync(marker, 'utf8')) as Workload;
    if (JSON.stringify(w.params) !== JSON.stringify(p)) return null;
    return { ...w, dir, src: join(dir, 'src') };
  } catch {
    return null;
  }
}

export interface EnsureResult {
  workload: Workload;
  generated: boolean;
  seconds: number;
}

/** Returns the cached workload, or generates it under root. */
export async function ensureWorkload(root: string, p: WorkloadParams, log: (s: string) => void): Promise<EnsureResult> {
  const dir = join(root, workloadDirName(p));
  const cached = readMarker(dir, p);
  if (cached) return { workload: cached, generated: false, seconds: 0 };
  rmSync(dir, { recursive: true, force: true });
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  const t0 = process.hrtime.bigint();
  log(`generating workload ${p.name} (${p.files} files) in ${dir} …`);
  const w = p.name === 'large' ? await generateLarge(dir, src, p) : p.name === 'many' ? generateMany(dir, src, p) : generateSmall(dir, src, p);
  writeFileSync(join(dir, 'workload.json'), JSON.stringify({ ...w, dir: undefined, src: undefined }, null, 2));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { workload: w, generated: true, seconds };
}

async function generateLarge(dir: string, src: string, p: WorkloadParams): Promise<Workload> {
  const size = p.fileSize ?? 0;
  const hashes: Record<string, string> = {};
  for (let i = 0; i < p.files; i++) {
    const name = `large-${String(i).padStart(2, '0')}.bin`;
    const ks = new Keystream(p.seed, i);
    const h = createHash('sha256');
    const out = createWriteStream(join(src, name));
    for (let done = 0; done < size;) {
      const chunk = ks.take(Math.min(CHUNK, size - done));
      h.update(chunk);
      done += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    hashes[name] = h.digest('hex');
  }
  return { params: p, dir, src, files: p.files, dirs: 0, bytes: p.files * size, hashes };
}

/** Indices of the files whose hashes are recorded: 25 spread over the tree, plus the largest. */
function sampleIndices(n: number): Set<number> {
  const s = new Set<number>();
  for (let k = 0; k < 25; k++) s.add(Math.floor((k * (n - 1)) / 24));
  return s;
}

function generateSmall(dir: string, src: string, p: WorkloadParams): Workload {
  const rnd = prng(p.seed);
  const ks = new Keystream(p.seed, 1000);
  const a = p.minSize ?? 512,
    b = p.maxSize ?? 65536;
  const perDir = p.filesPerDir ?? 100,
    perTop = p.dirsPerTop ?? 25;
  const sample = sampleIndices(p.files);
  const hashes: Record<string, string> = {};
  let bytes = 0,
    dirs = 0,
    lastDir = '';
  for (let i = 0; i < p.files; i++) {
    const leaf = Math.floor(i / perDir);
    const rel = join(`d${String(Math.floor(leaf / perTop)).padStart(3, '0')}`, `s${String(leaf % perTop).padStart(2, '0')}`);
    if (rel !== lastDir) {
      const created = mkdirSync(join(src, rel), { recursive: true });
      if (created) dirs += created === join(src, rel) ? 1 : 2;
      lastDir = rel;
    }
    // Log-uniform size in [a, b]: many small files, a few up to 64 KiB.
    const size = Math.min(b, Math.max(a, Math.round(a * Math.pow(b / a, rnd()))));
    const data = ks.take(size);
    const file = join(rel, `f${String(i).padStart(6, '0')}.dat`);
    writeFileSync(join(src, file), data);
    bytes += size;
    if (sample.has(i)) hashes[file] = createHash('sha256').update(data).digest('hex');
  }
  return { params: p, dir, src, files: p.files, dirs, bytes, hashes };
}

/** Folder index (0-based) of file i when `files` files are spread in order over `folders` folders. */
export function folderOf(i: number, files: number, folders: number): number {
  return Math.floor((i * folders) / files);
}

/** The many workload's folder number `d`, relative to src/. */
export function manyFolder(d: number): string {
  return `d${String(d).padStart(4, '0')}`;
}

/** The relative path (under src/) of the many workload's file number `k` in folder `d`. */
export function manyPath(d: number, k: number): string {
  return `${manyFolder(d)}/f${String(k).padStart(5, '0')}.txt`;
}

function generateMany(dir: string, src: string, p: WorkloadParams): Workload {
  const rnd = prng(p.seed);
  const ks = new Keystream(p.seed, 2000);
  const a = p.minSize ?? 0,
    b = p.maxSize ?? 200;
  const folders = Math.min(p.folders ?? 1, p.files);
  const sample = sampleIndices(p.files);
  const hashes: Record<string, string> = {};
  let bytes = 0,
    lastDir = -1,
    k = 0;
  for (let i = 0; i < p.files; i++) {
    const d = folderOf(i, p.files, folders);
    if (d !== lastDir) {
      mkdirSync(join(src, manyFolder(d)));
      lastDir = d;
      k = 0;
    }
    // Uniform integer size in [a, b].
    const size = a + Math.floor(rnd() * (b - a + 1));
    const data = ks.take(size);
    const file = manyPath(d, k++);
    writeFileSync(join(src, file), data);
    bytes += size;
    if (sample.has(i)) hashes[file] = createHash('sha256').update(data).digest('hex');
  }
  return { params: p, dir, src, files: p.files, dirs: folders, bytes, hashes };
}

export interface TreeSummary {
  files: number;
  dirs: number;
  bytes: number;
  other: number;
}

/**
 * Counts the regular files, directories and bytes under root (root itself not counted).
 * Synchronous calls: on tmpfs they are several times faster than the promise API over 10^6 files.
 */
export function summarizeTree(root: string): TreeSummary {
  const s: TreeSummary = { files: 0, dirs: 0, bytes: 0, other: 0 };
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) {
        s.dirs++;
        walk(full);
      } else if (e.isFile()) {
        s.files++;
        s.bytes += lstatSync(full).size;
      } else s.other++;
    }
  };
  walk(root);
  return s;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** Checks a restored or copied tree against the workload: counts, bytes and sampled hashes. */
export async function verifyTree(w: Workload, restored: string): Promise<string[]> {
  const problems: string[] = [];
  if (!existsSync(restored)) return [`${restored} does not exist`];
  const s = summarizeTree(restored);
  if (s.files !== w.files) problems.push(`file count ${s.files} ≠ ${w.files}`);
  if (s.bytes !== w.bytes) problems.push(`byte count ${s.bytes} ≠ ${w.bytes}`);
  if (w.dirs && s.dirs !== w.dirs) problems.push(`directory count ${s.dirs} ≠ ${w.dirs}`);
  if (s.other) problems.push(`${s.other} unexpected non-regular entries`);
  for (const [rel, want] of Object.entries(w.hashes)) {
    const path = join(restored, rel);
    if (!existsSync(path)) {
      problems.push(`missing ${rel}`);
      continue;
    }
    const got = await sha256File(path);
    if (got !== want) problems.push(`hash mismatch on ${rel}`);
  }
  return problems;
}
