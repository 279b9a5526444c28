/**
 * TEST-ONLY stand-in for shared/engine, used by the handler unit tests and by the e2e harness
 * when the real engine is not built yet (SCELLE_HARNESS_ENGINE=fake). It writes a readable
 * fake "sealed" folder: NOTHING here is encrypted. It lives under test/ and is never packaged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { DriveInfo, DriveSecret, IndexEntry, OpenOptions, OpenResult, Progress, SealOptions, SealResult, VerifyReport } from '../../shared/engine/api.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';
import { canonicalizeUnlockCode, formatUnlockCode, generateUnlockCode } from '../../shared/format/unlock-code.js';
import { customerPublicKey, deriveCustomerKey } from '../../shared/custody/customer-key.js';
import type { EnginePort, EngineVerifyOptions, PinnedRoots } from '../../electron/engine-port.js';

interface FakeManifest { format: 'fake-scelle'; driveId: string; dataKey: string; createdAt: string; code: string | null; files: { path: string; size: number; source: string }[]; partSha256: string; station: string }

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(new ScelleError('E_CANCELLED', 'cancelled')); }, { once: true });
});

async function walk(p: string, base: string, out: { path: string; size: number; source: string }[]): Promise<void> {
  const st = await stat(p).catch(() => null);
  if (!st) throw new ScelleError('E_SOURCE_NOT_FOUND', 'source missing', { path: p });
  if (st.isDirectory()) for (const n of (await readdir(p)).sort()) await walk(join(p, n), base, out);
  else out.push({ path: relative(base, p).split('\\').join('/'), size: st.size, source: p });
}

async function readManifest(driveDir: string): Promise<FakeManifest> {
  try {
    return JSON.parse(await readFile(join(driveDir, 'manifest.json'), 'utf8')) as FakeManifest;
  } catch (e) {
    throw new ScelleError('E_FORMAT_MANIFEST', 'manifest unreadable', {}, { cause: e });
  }
}

const entriesOf = (m: FakeManifest): IndexEntry[] => m.files.map((f, i) => ({ path: f.path, type: 'file' as const, size: f.size, mode: 0o644, mtime: 1_700_000_000_000 + i, offset: 0 }));

/** Options of the fake: how slow a job runs (ms per step, 20 steps). */
export interface FakeEngineOptions { stepMs?: number }

/** Builds the fake engine. */
export function createFakeEngine(opts: FakeEngineOptions = {}): EnginePort {
  const stepMs = opts.stepMs ?? 60;
  const steps = async (phase: Progress['phase'], bytesTotal: number, filesTotal: number, signal?: AbortSignal, onProgress?: (p: Progress) => void) => {
    const t0 = Date.now();
    for (let i = 1; i <= 20; i++) {
      await sleep(stepMs, signal);
      const done = Math.round((bytesTotal * i) / 20);
      const secs = Math.max(0.001, (Date.now() - t0) / 1000);
      onProgress?.({ phase, bytesDone: done, bytesTotal, filesDone: Math.round((filesTotal * i) / 20), filesTotal, bytesPerSecond: done / secs, etaSeconds: i === 20 ? 0 : ((20 - i) * stepMs) / 1000 });
    }
  };
  const checkSecret = (m: FakeManifest, secret: DriveSecret) => {
    if (secret.kind !== 'unlock-code' || m.code === null || canonicalizeUnlockCode(secret.code) !== m.code) throw new ScelleError('E_KEY_WRONG', 'no keyslot opens with this secret');
  };
  return {
    async seal(o: SealOptions): Promise<SealResult> {
      const files: FakeManifest['files'] = [];
      for (const s of o.sources) await walk(s, dirname(s), files);
      const bytes = files.reduce((a, f) => a + f.size, 0);
      const driveId = randomBytes(5).toString('hex').toUpperCase();
      await steps('seal', bytes, files.length, o.signal, o.onProgress);
      const driveDir = join(o.target, `SCELLE-${driveId}`);
      await mkdir(join(driveDir, 'payload'), { recursive: true });
      const part = Buffer.from(JSON.stringify(files));
      await writeFile(join(driveDir, 'payload', 'part-000000.scx'), part);
      const code = o.recipients.unlockCode ? generateUnlockCode() : null;
      const dataKey = randomBytes(32);
      const m: FakeManifest = { format: 'fake-scelle', driveId, dataKey: dataKey.toString('base64'), createdAt: new Date().toISOString(), code: code ? canonicalizeUnlockCode(code) : null, files, partSha256: createHash('sha256').update(part).digest('hex'), station: o.station.id };
      const text = JSON.stringify(m);
      await writeFile(join(driveDir, 'manifest.json'), text);
      return { driveId, driveDir, ...(code ? { unlockCode: formatUnlockCode(code) } : {}), manifestSha256: createHash('sha256').update(text).digest('hex'), files: files.length, bytes, parts: 1, resumed: false, customerPublicKey: customerPublicKey(dataKey, driveId) };
    },
    async inspect(driveDir: string, _roots: PinnedRoots): Promise<DriveInfo> {
      const m = await readManifest(driveDir);
      const text = await readFile(join(driveDir, 'manifest.json'), 'utf8');
      return {
        driveId: m.driveId, driveDir, createdAt: m.createdAt, manifestSha256: createHash('sha256').update(text).digest('hex'),
        station: { id: m.station, publicKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', certified: true, reason: null },
        parts: 1, payloadCiphertextBytes: m.files.reduce((a, f) => a + f.size, 0), keyslots: m.code ? [{ type: 'unlock-code' }] : [],
      };
    },
    async verify(o: EngineVerifyOptions): Promise<VerifyReport> {
      const info = await this.inspect(o.driveDir, []);
      const m = await readManifest(o.driveDir);
      await steps('verify', info.payloadCiphertextBytes, m.files.length, o.signal, o.onProgress);
      const part = await readFile(join(o.driveDir, 'payload', 'part-000000.scx')).catch(() => null);
      const problems: VerifyReport['problems'] = [];
      if (!part) problems.push({ code: 'E_FORMAT_PART_MISSING', message: 'part 0 is missing', details: { part: 0 } });
      else if (createHash('sha256').update(part).digest('hex') !== m.partSha256) problems.push({ code: 'E_FORMAT_PART_HASH', message: 'part 0 differs from the manifest', details: { part: 0 } });
      return { driveId: m.driveId, level: o.secret ? 'full' : 'media', ok: problems.length === 0, station: info.station, files: m.files.length, bytes: info.payloadCiphertextBytes, problems };
    },
    loadDrive(path: string, _roots: PinnedRoots) {
      const m = JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as FakeManifest;
      const text = readFileSync(join(path, 'manifest.json'), 'utf8');
      return { info: { driveId: m.driveId, driveDir: path, createdAt: m.createdAt, manifestSha256: createHash('sha256').update(text).digest('hex'), station: { id: m.station, publicKey: '', certified: true, reason: null }, parts: 1, payloadCiphertextBytes: 0, keyslots: [] }, m } as never;
    },
    async unlockDrive(drive: never, secret: DriveSecret) {
      const m = (drive as { m: FakeManifest }).m;
      checkSecret(m, secret);
      return { dataKey: new Uint8Array(Buffer.from(m.dataKey, 'base64')), entries: entriesOf(m) };
    },
    async list(o: { driveDir: string; secret: DriveSecret; pinnedRoots: PinnedRoots }): Promise<{ entries: IndexEntry[] }> {
      const m = await readManifest(o.driveDir);
      checkSecret(m, o.secret);
      return { entries: entriesOf(m) };
    },
    async open(o: OpenOptions): Promise<OpenResult> {
      const m = await readManifest(o.driveDir);
      checkSecret(m, o.secret);
      const chosen = m.files.filter((f) => !o.paths || o.paths.some((p) => f.path === p || f.path.startsWith(`${p}/`)));
      const bytes = chosen.reduce((a, f) => a + f.size, 0);
      await steps('open', bytes, chosen.length, o.signal, o.onProgress);
      for (const f of chosen) {
        const to = join(o.dest, f.path);
        await mkdir(dirname(to), { recursive: true });
        await copyFile(f.source, to);
      }
      return { files: chosen.length, bytes, verified: true, customerKey: deriveCustomerKey(new Uint8Array(Buffer.from(m.dataKey, 'base64')), m.driveId) };
    },
  };
}

/** The base name used for fake sealed folders (for tests that corrupt them). */
export const fakePartFile = (driveDir: string) => join(driveDir, 'payload', 'part-000000.scx');
export const fakeName = basename;
