// Deterministic benchmark workloads on tmpfs, cached between invocations.
//
// Content is the AES-256-CTR keystream of a fixed key (fast, incompressible, reproducible);
// small-file sizes and the tree come from a seeded PRNG. A workload directory holds `src/`
// (what is sealed) and `workload.json` (the marker: parameters, counts and reference hashes),
// written last, so a half-generated workload is never mistaken for a complete one.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

export type WorkloadName = 'large' | 'small';

export interface WorkloadParams {
  name: WorkloadName;
  /** Bumped whenever the generator changes, so old caches are not reused. */
  generator: number;
  seed: number;
  files: number;
  /** large: every file's size; small: bounds of the log-uniform size distribution. */
  fileSize?: number;
  minSize?: number;
  maxSize?: number;
  filesPerDir?: number;
  dirsPerTop?: number;
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
  return {
    name, generator: GENERATOR_VERSION, seed: 2,
    files: Math.max(100, Math.round(50_000 * scale)),
    minSize: 512, maxSize: 64 * 1024, filesPerDir: 100, dirsPerTop: 25,
  };
}

/** Upper bound of the bytes a workload's src/ takes on tmpfs (page rounding per file). */
export function estimateBytes(p: WorkloadParams): number {
  if (p.name === 'large') return p.files * (p.fileSize ?? 0);
  // Mean of a log-uniform distribution on [a, b] is (b − a) / ln(b / a).
  const a = p.minSize ?? 512, b = p.maxSize ?? 65536;
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

export interface EnsureResult { workload: Workload; generated: boolean; seconds: number }

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
  const w = p.name === 'large' ? await generateLarge(dir, src, p) : generateSmall(dir, src, p);
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
  const a = p.minSize ?? 512, b = p.maxSize ?? 65536;
  const perDir = p.filesPerDir ?? 100, perTop = p.dirsPerTop ?? 25;
  const sample = sampleIndices(p.files);
  const hashes: Record<string, string> = {};
  let bytes = 0, dirs = 0, lastDir = '';
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

export interface TreeSummary { files: number; dirs: number; bytes: number; other: number }

/** Counts the regular files, directories and bytes under root (root itself not counted). */
export async function summarizeTree(root: string): Promise<TreeSummary> {
  const s: TreeSummary = { files: 0, dirs: 0, bytes: 0, other: 0 };
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) { s.dirs++; await walk(full); }
      else if (e.isFile()) { s.files++; s.bytes += (await lstat(full)).size; }
      else s.other++;
    }
  };
  await walk(root);
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
  const s = await summarizeTree(restored);
  if (s.files !== w.files) problems.push(`file count ${s.files} ≠ ${w.files}`);
  if (s.bytes !== w.bytes) problems.push(`byte count ${s.bytes} ≠ ${w.bytes}`);
  if (w.dirs && s.dirs !== w.dirs) problems.push(`directory count ${s.dirs} ≠ ${w.dirs}`);
  if (s.other) problems.push(`${s.other} unexpected non-regular entries`);
  for (const [rel, want] of Object.entries(w.hashes)) {
    const path = join(restored, rel);
    if (!existsSync(path)) { problems.push(`missing ${rel}`); continue; }
    const got = await sha256File(path);
    if (got !== want) problems.push(`hash mismatch on ${rel}`);
  }
  return problems;
}
