/**
 * "The UI stays responsive while sealing (input handled within 100 ms), and the progress shown
 * matches the engine's." A seal of a large pseudo-random source (written by the test) lasts
 * several seconds on the real engine; while it runs:
 * - input latency is measured inside the page: from the input event's timestamp to the first
 *   animation frame in which its effect is in the DOM (language switch: a full re-render;
 *   typing: the field's value), ≥ 20 samples each; the 95th percentile must be under 100 ms;
 * - the engine's own progress reports are captured where the harness emits `job.progress`
 *   (harness.world.listeners, in this process) and compared with the screen: the panel must
 *   show the engine's latest report, or the one before it; at the end, 100 % and the engine's
 *   final byte count.
 * Cancel during such a seal stops quickly and leaves no sealed drive and no custody event.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { findSealedFolders } from '../../shared/drives/index.js';
import type { EventChannel, Language, ProgressDto } from '../../shared/ipc/index.js';
import { formatBytes } from '../../renderer/format.js';
import { progressLine, progressView } from '../../renderer/progress-view.js';
import { expect, shot, switchLanguage, test } from './fixtures.js';
import type { Harness } from './harness-server.js';

/** Size of the source: long enough for several seconds of sealing on the test machines. */
// Large enough that the seal outlasts the measurements below on a fast machine (2 GiB took
// about 3 s here once the engine stopped re-faulting the cipher's output: session 8).
const SOURCE_BYTES = 4 * 1024 ** 3;
const LATENCY_BUDGET_MS = 100;
const SAMPLES_PER_KIND = 20;

interface EngineReport {
  jobId: string;
  progress: ProgressDto;
  at: number;
}

/** Captures every `job.progress` report the engine sends through the harness. */
function captureEngineProgress(h: Harness): { of(jobId: string): EngineReport[]; stop(): void } {
  const reports: EngineReport[] = [];
  const listener = (channel: EventChannel, payload: unknown) => {
    if (channel === 'job.progress') reports.push({ ...(payload as { jobId: string; progress: ProgressDto }), at: performance.now() });
  };
  h.world.listeners.add(listener);
  return { of: (jobId) => reports.filter((r) => r.jobId === jobId), stop: () => h.world.listeners.delete(listener) };
}

/** Writes `bytes` of pseudo-random data (8 MiB randomBytes blocks, each stamped with its index). */
async function writeLargeSource(h: Harness, bytes: number): Promise<string> {
  const dir = join(h.world.root, 'sources', 'grand-aleatoire');
  await mkdir(dir, { recursive: true });
  const fh = await open(join(dir, 'image.bin'), 'w');
  try {
    const pool = Array.from({ length: 8 }, () => randomBytes(8 * 1024 ** 2));
    for (let off = 0, i = 0; off < bytes; i++) {
      const block = pool[i % pool.length]!;
      block.writeUInt32LE(i, 0);
      const n = Math.min(block.length, bytes - off);
      await fh.write(block, 0, n);
      off += n;
    }
  } finally {
    await fh.close();
  }
  return dir;
}

/** Removes the large source and whatever the seal wrote on the drive (GBs per run). */
async function cleanUp(h: Harness, source: string): Promise<void> {
  await rm(source, { recursive: true, force: true });
  for (const name of await readdir(h.world.driveDir)) await rm(join(h.world.driveDir, name), { recursive: true, force: true });
}

/** Chooses `source` and the LIVRAISON drive, starts the seal and returns its job id. */
async function startSeal(page: Page, h: Harness, source: string): Promise<{ jobId: string; answer: Promise<unknown> }> {
  h.world.dialogs.sources.push([source]);
  await switchLanguage(page, 'fr-CA');
  await page.getByRole('button', { name: 'Ajouter des dossiers…' }).click();
  await expect(page.getByTestId('source-count')).toContainText('Total : 1 fichier dans 1 dossier');
  await page.getByRole('radio', { name: /LIVRAISON/ }).check();
  await expect(page.getByTestId('drive-check')).toContainText('Ce disque convient.');
  const isSeal = (body: string | null) => (body ?? '').includes('"channel":"engine.seal"');
  const request = page.waitForRequest((r) => r.url().endsWith('/__harness/invoke') && isSeal(r.postData()));
  const answer = page.waitForResponse((r) => r.url().endsWith('/__harness/invoke') && isSeal(r.request().postData()), { timeout: 110_000 }).then((r) => r.json());
  await page.getByRole('button', { name: 'Sceller le disque' }).click();
  const jobId = (JSON.parse((await request).postData()!) as { payload: { jobId: string } }).payload.jobId;
  return { jobId, answer };
}

/** Installs the in-page latency probe: input event timestamp → first frame showing its effect. */
async function installLatencyProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __latency: { kind: string; ms: number }[]; __eventTiming: number[] };
    w.__latency = [];
    w.__eventTiming = [];
    const measure = (kind: string, t0: number, visible: () => boolean) => {
      const frame = () => {
        if (visible()) w.__latency.push({ kind, ms: performance.now() - t0 });
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    };
    document.addEventListener(
      'keydown',
      (e) => {
        const target = e.target as HTMLElement;
        if (target.matches('header button.lang') && e.key === 'Enter') {
          const h1 = document.querySelector('h1')!;
          const before = h1.textContent;
          measure('language', e.timeStamp, () => h1.textContent !== before);
        } else if (target instanceof HTMLInputElement && target.dataset['probe'] === 'typing' && e.key.length === 1) {
          const before = target.value.length;
          measure('typing', e.timeStamp, () => target.value.length === before + 1);
        }
      },
      true,
    );
    // Second opinion from the browser: Event Timing (input → next paint; entries ≥ 16 ms only).
    new PerformanceObserver((list) => {
      for (const en of list.getEntries()) w.__eventTiming.push(en.duration);
    }).observe({ type: 'event', durationThreshold: 16 } as PerformanceObserverInit);
  });
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const stats = (xs: number[]) => ({ n: xs.length, p50: +percentile(xs, 50).toFixed(1), p95: +percentile(xs, 95).toFixed(1), max: +Math.max(...xs).toFixed(1) });
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** What the progress panel shows now, and whether the seal is still running (Cancel shown). */
async function readPanel(page: Page) {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid="progress"]');
    return {
      lang: document.documentElement.lang,
      present: panel !== null,
      running: panel?.querySelector('button') != null,
      phase: panel?.querySelector('[data-testid="progress-phase"]')?.textContent ?? '',
      line: panel?.querySelector('[data-testid="progress-text"]')?.textContent ?? '',
      value: (panel?.querySelector('progress') as HTMLProgressElement | null)?.value ?? -1,
    };
  });
}

/** Index of the latest engine report that renders exactly as `ui` (−1: none). */
function matchReport(reports: EngineReport[], ui: Awaited<ReturnType<typeof readPanel>>): number {
  for (let j = reports.length - 1; j >= 0; j--) {
    const v = progressView(reports[j]!.progress, ui.lang as Language);
    if (v.percent === ui.value && norm(v.phase) === norm(ui.phase) && norm(progressLine(v)) === norm(ui.line)) return j;
  }
  return -1;
}

test('stays responsive while sealing, and shows the engine’s progress', async ({ app: page, harness }) => {
  test.setTimeout(240_000);
  const engine = captureEngineProgress(harness);
  const source = await writeLargeSource(harness, SOURCE_BYTES);
  try {
    await installLatencyProbe(page);
    const typingField = page.getByLabel(/^Clé publique du client/);
    await typingField.evaluate((el) => {
      (el as HTMLElement).dataset['probe'] = 'typing';
    });
    const sealStarted = performance.now();
    const { jobId, answer } = await startSeal(page, harness, source);
    await expect(page.getByRole('button', { name: 'Annuler l’opération' })).toBeVisible();
    await page.waitForFunction(() => Number(document.querySelector('progress')?.value) >= 1, null, { polling: 'raf', timeout: 30_000 });

    // The panel shows the engine's latest report (or the one before): compared at several
    // moments, between the inputs of (a) and after them in (b), while the seal runs.
    const samples: { percent: number; lag: number }[] = [];
    const sampleProgress = async (): Promise<boolean> => {
      const latestBefore = engine.of(jobId).length - 1;
      const ui = await readPanel(page);
      if (!ui.running) return false;
      const k = matchReport(engine.of(jobId), ui);
      expect(k, `the panel shows an engine report: ${JSON.stringify(ui)}`).toBeGreaterThanOrEqual(0);
      samples.push({ percent: ui.value, lag: latestBefore - k });
      return true;
    };

    // (a) Input while sealing: language switches (the whole UI re-renders) and typing.
    const langButton = page.locator('header button.lang');
    const count = () => page.evaluate(() => (window as unknown as { __latency: unknown[] }).__latency.length);
    const sampled = (n: number) => page.waitForFunction((m) => (window as unknown as { __latency: unknown[] }).__latency.length >= m, n, { polling: 'raf' });
    const t = () => `${((performance.now() - sealStarted) / 1000).toFixed(1)} s`;
    console.log(`[responsiveness] seal running at ${t()}`);
    for (let i = 0; i < SAMPLES_PER_KIND; i++) {
      const n = await count();
      await langButton.press('Enter');
      await sampled(n + 1);
      if (i % 4 === 3) await sampleProgress();
      await page.waitForTimeout(20);
    }
    await typingField.click();
    for (let i = 0; i < SAMPLES_PER_KIND; i++) {
      const n = await count();
      await page.keyboard.press('ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i % 26]!);
      await sampled(n + 1);
      if (i % 4 === 3) await sampleProgress();
      await page.waitForTimeout(20);
    }
    console.log(`[responsiveness] input measured by ${t()}`);
    const stillRunning = (await readPanel(page)).running;
    expect(stillRunning, 'the seal was still running while input was measured (else make SOURCE_BYTES larger)').toBe(true);
    const probe = await page.evaluate(() => {
      const w = window as unknown as { __latency: { kind: string; ms: number }[]; __eventTiming: number[] };
      return { __latency: w.__latency, __eventTiming: w.__eventTiming };
    });
    const language = probe.__latency.filter((s) => s.kind === 'language').map((s) => s.ms);
    const typing = probe.__latency.filter((s) => s.kind === 'typing').map((s) => s.ms);
    const all = [...language, ...typing];
    const latency = {
      language: stats(language),
      typing: stats(typing),
      all: stats(all),
      eventTiming: { entriesOver16ms: probe.__eventTiming.length, max: probe.__eventTiming.length ? Math.max(...probe.__eventTiming) : 0 },
    };
    console.log(`[responsiveness] input latency during seal (ms, event → first frame showing it): ${JSON.stringify(latency)}`);
    expect(language.length).toBeGreaterThanOrEqual(SAMPLES_PER_KIND);
    expect(typing.length).toBeGreaterThanOrEqual(SAMPLES_PER_KIND);
    expect(latency.language.p95, 'p95 latency of a language switch during the seal').toBeLessThan(LATENCY_BUDGET_MS);
    expect(latency.typing.p95, 'p95 latency of typing during the seal').toBeLessThan(LATENCY_BUDGET_MS);
    expect(latency.all.p95).toBeLessThan(LATENCY_BUDGET_MS);
    await typingField.fill('');
    await langButton.focus();

    // Screenshots of the progress state in both languages.
    await switchLanguage(page, 'fr-CA');
    await shot(page, 'responsiveness-progress-fr-CA');
    await switchLanguage(page, 'en');
    await shot(page, 'responsiveness-progress-en');

    // (b) More comparisons while the seal runs, switching language between them.
    for (let i = 0; i < 40 && samples.length < 16; i++) {
      await page.waitForTimeout(150);
      if (!(await sampleProgress())) break;
      if (i % 2 === 1) await switchLanguage(page, i % 4 === 1 ? 'fr-CA' : 'en');
    }
    console.log(`[responsiveness] progress samples (percent shown, lag in engine reports): ${JSON.stringify(samples)}`);
    expect(samples.length, 'progress compared at least 5 times during the seal').toBeGreaterThanOrEqual(5);
    for (const s of samples) expect(s.lag, 'the panel is at most one engine report behind').toBeLessThanOrEqual(1);

    // The end: the engine's final report is 100 % of its byte count, and the panel shows it.
    const result = (await answer) as { ok: boolean; value: { bytes: number; files: number } };
    expect(result.ok).toBe(true);
    await expect(page.getByTestId('seal-done')).toBeVisible();
    const reports = engine.of(jobId);
    const final = reports.at(-1)!.progress;
    expect(final).toMatchObject({ phase: 'seal', bytesDone: result.value.bytes, bytesTotal: result.value.bytes, filesDone: 1 });
    expect(result.value.bytes).toBe(SOURCE_BYTES);
    await switchLanguage(page, 'fr-CA');
    await expect.poll(async () => matchReport([{ jobId, progress: final, at: 0 }], await readPanel(page))).toBe(0);
    await expect(page.getByTestId('progress-percent')).toHaveText(/^100\s%$/);
    await expect(page.getByTestId('seal-done')).toContainText(formatBytes(final.bytesDone, 'fr-CA'));
    await shot(page, 'responsiveness-done-fr-CA');
    await switchLanguage(page, 'en');
    await expect(page.getByTestId('progress-percent')).toHaveText('100%');
    await expect(page.getByTestId('progress-text')).toContainText(`${formatBytes(final.bytesDone, 'en')} of ${formatBytes(final.bytesTotal, 'en')}`);
    await shot(page, 'responsiveness-done-en');
    console.log(
      `[responsiveness] seal of ${formatBytes(SOURCE_BYTES, 'en')} took ${((performance.now() - sealStarted) / 1000).toFixed(1)} s; ${reports.length} engine reports; final ${JSON.stringify(final)}`,
    );
  } finally {
    engine.stop();
    await cleanUp(harness, source);
  }
});

test('cancels a long seal quickly and leaves no sealed drive', async ({ app: page, harness, custody }) => {
  test.setTimeout(180_000);
  const engine = captureEngineProgress(harness);
  const source = await writeLargeSource(harness, SOURCE_BYTES);
  try {
    const { jobId, answer } = await startSeal(page, harness, source);
    await switchLanguage(page, 'en');
    await page.waitForFunction(() => Number(document.querySelector('progress')?.value) >= 1, null, { polling: 'raf', timeout: 30_000 });
    const clicked = performance.now();
    await page.getByRole('button', { name: 'Cancel the operation' }).click();
    const result = (await answer) as { ok: boolean; error?: { code: string } };
    const stopped = performance.now() - clicked;
    await expect(page.getByTestId('seal-cancelled')).toContainText('Operation cancelled');
    const shown = performance.now() - clicked;
    expect(result).toMatchObject({ ok: false, error: { code: 'E_CANCELLED' } });
    const last = engine.of(jobId).at(-1)!;
    // No report after the engine answered, even a while later.
    const reportsAtStop = engine.of(jobId).length;
    await page.waitForTimeout(500);
    expect(engine.of(jobId).length).toBe(reportsAtStop);
    console.log(
      `[responsiveness] cancel: engine stopped ${stopped.toFixed(0)} ms after the click (UI said so after ${shown.toFixed(0)} ms), at ${((last.progress.bytesDone / last.progress.bytesTotal) * 100).toFixed(1)} %`,
    );
    expect(stopped, 'the engine stops within 3 s of Cancel').toBeLessThan(3_000);
    expect(last.progress.bytesDone).toBeLessThan(last.progress.bytesTotal);

    await expect(page.getByTestId('unlock-code')).toHaveCount(0);
    await expect(page.getByTestId('seal-done')).toHaveCount(0);
    expect(await findSealedFolders(harness.world.driveDir), 'no sealed drive folder (with a manifest) on the drive').toEqual([]);
    expect((await harness.world.custody.journal()).pending()).toEqual([]);
    const integrity = (await fetch(`${custody.url}/v1/admin/integrity`, { headers: { authorization: `Bearer ${custody.adminToken}` } }).then((r) => r.json())) as {
      ok: boolean;
      events: number;
    };
    expect(integrity, 'no custody event for a cancelled seal').toMatchObject({ ok: true, events: 0 });
    await expect(page.getByRole('button', { name: 'Seal the drive' })).toBeEnabled();
    await shot(page, 'responsiveness-cancelled-en');
  } finally {
    engine.stop();
    await cleanUp(harness, source);
  }
});
