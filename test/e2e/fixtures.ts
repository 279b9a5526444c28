/**
 * Playwright fixtures for the e2e tests: a fresh real custody service and a fresh harness
 * (world + server, station enrolled) per test, a page opened on it, and helpers for
 * screenshots and axe-core checks.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test as base, expect, type Page } from '@playwright/test';
import { startHarness, type Harness } from './harness-server.js';
import { E2E_ROOT_PUBLIC, startE2eCustody, type E2eCustody } from './custody-service.js';
import { makeLargeDrive, type LargeDrive } from './large-drive.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** Where screenshots of each screen go. */
export const SCREENSHOT_DIR = 'test-results/screenshots';

/** How a test's world starts: enrolled with the real custody service (default) or not. */
export interface WorldOptions {
  /** Import a provider-issued enrolment file before the test (default true). */
  enrol?: boolean;
}

type Fixtures = { worldOptions: WorldOptions; custody: E2eCustody; harness: Harness; app: Page };
/** Made once per worker, only for the tests that use them. */
type WorkerFixtures = { largeDrive: LargeDrive };

/** Calls a handler as the harness page would. */
export function callAs(h: Harness, channel: string, payload: unknown) {
  return h.world.handlers.handle({ channel, senderUrl: new URL(h.url).origin + '/', payload });
}

/** Enrols the harness's station with `custody` through the real `station.enrol` handler. */
export async function enrolStation(h: Harness, custody: E2eCustody): Promise<void> {
  const file = await custody.issueEnrolment(h.world.stationKeyFile, h.world.root);
  h.world.handlers.grants.grant(file);
  const r = await callAs(h, 'station.enrol', { bundlePath: file });
  if (!r.ok) throw new Error(`enrolment failed: ${r.error.code} ${r.error.message}`);
}

/**
 * The test function with fixtures: `custody` is a fresh REAL custody service (server/) per
 * test; `harness` is a fresh world + server whose station is enrolled with it (unless
 * `worldOptions.enrol` is false) and which pins the test provider root; `largeDrive` is a
 * 100,000-file drive sealed once per worker (large-drive.ts; copy it with placeLargeDrive).
 */
export const test = base.extend<Fixtures, WorkerFixtures>({
  largeDrive: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern
    async ({}, use) => {
      const d = await makeLargeDrive();
      console.log(`[large-drive] sealed ${d.entries} entries (${d.folders} folders × ${d.filesPerFolder} files) in ${d.sealMs} ms`);
      await use(d);
      await rm(d.root, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 600_000 },
  ],
  worldOptions: [{}, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern
  custody: async ({}, use) => {
    const c = await startE2eCustody();
    await use(c);
    await c.close();
  },
  harness: async ({ worldOptions, custody }, use) => {
    const h = await startHarness({ pinnedRoots: [E2E_ROOT_PUBLIC] });
    if (worldOptions.enrol !== false) await enrolStation(h, custody);
    await use(h);
    await h.close();
  },
  app: async ({ page, harness }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    await page.goto(harness.url);
    await expect(page.getByRole('tablist')).toBeVisible();
    await use(page);
    expect(errors, 'no page errors and no CSP violations').toEqual([]);
  },
});

export { expect };

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: true });
}

/** Runs axe-core (WCAG 2 A/AA rules) on the page and fails on any violation. */
export async function checkA11y(page: Page, label: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  expect(violations, `axe violations on ${label}`).toEqual([]);
}

/**
 * Switches the UI language with the header button. Clicks again while the page shows the other
 * language: a click made while the app was still applying the saved language could be overridden.
 */
export async function switchLanguage(page: Page, to: 'fr-CA' | 'en'): Promise<void> {
  await expect(async () => {
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang !== to) await page.locator('header button.lang').click();
    await expect(page.locator('html')).toHaveAttribute('lang', to, { timeout: 1500 });
  }).toPass({ timeout: 20_000, intervals: [250, 500, 1000] });
}

/** Opens a workspace tab by its position (0 technician, 1 client, 2 support, 3 settings). */
export async function openTab(page: Page, index: number): Promise<void> {
  await page.getByRole('tab').nth(index).click();
}

/** Seals the harness's sample sources onto the LIVRAISON drive through the handlers (no UI); with `customerPublicKey`, for that customer key too. */
export async function sealSample(h: Harness, customerPublicKey?: string): Promise<{ driveId: string; driveDir: string; unlockCode: string }> {
  const call = (channel: string, payload: unknown) => callAs(h, channel, payload);
  await call('dialog.chooseSources', { kind: 'folders' });
  await call('drives.list', {});
  const r = await call('engine.seal', {
    jobId: `job-pre-${Date.now()}`,
    sources: [h.world.sourcesDir],
    driveId: '/dev/sdx1',
    recipients: { unlockCode: true, escrow: false, customerKeys: [], ...(customerPublicKey ? { customerPublicKey } : {}) },
  });
  if (!r.ok) throw new Error(`seal failed: ${r.error.code}`);
  return r.value as { driveId: string; driveDir: string; unlockCode: string };
}

/** A valid-looking code that is not this drive's: another drive's code. */
export async function otherCode(h: Harness): Promise<string> {
  return (await sealSample(h)).unlockCode;
}
