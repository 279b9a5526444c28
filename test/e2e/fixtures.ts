/**
 * Playwright fixtures for the e2e tests: a fresh harness (world + server) per test, a page
 * opened on it, and helpers for screenshots and axe-core checks.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test as base, expect, type Page } from '@playwright/test';
import { startHarness, type Harness } from './harness-server.js';
import type { HarnessWorldOptions } from './harness-deps.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** Where screenshots of each screen go. */
export const SCREENSHOT_DIR = 'test-results/screenshots';

/** Which engine the harness uses: SCELLE_E2E_ENGINE=real|fake|auto (default auto: real when it loads). */
export const ENGINE = (process.env['SCELLE_E2E_ENGINE'] ?? 'auto') as 'real' | 'fake' | 'auto';

type Fixtures = { harnessOptions: HarnessWorldOptions; harness: Harness; app: Page };

/** The test function with harness fixtures. */
export const test = base.extend<Fixtures>({
  harnessOptions: [{}, { option: true }],
  harness: async ({ harnessOptions }, use) => {
    const h = await startHarness({ engine: ENGINE, stepMs: 40, ...harnessOptions });
    await use(h);
    await h.close();
  },
  app: async ({ page, harness }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) errors.push(m.text()); });
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

/** Switches the UI language with the header button. */
export async function switchLanguage(page: Page, to: 'fr-CA' | 'en'): Promise<void> {
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== to) await page.locator('header button.lang').click();
  await expect(page.locator('html')).toHaveAttribute('lang', to);
}

/** Opens a workspace tab by its position (0 technician, 1 client, 2 support, 3 settings). */
export async function openTab(page: Page, index: number): Promise<void> {
  await page.getByRole('tab').nth(index).click();
}

/** Seals the harness's sample sources onto the LIVRAISON drive through the handlers (no UI). */
export async function sealSample(h: Harness): Promise<{ driveId: string; driveDir: string; unlockCode: string }> {
  const call = (channel: string, payload: unknown) => h.world.handlers.handle({ channel, senderUrl: new URL(h.url).origin + '/', payload });
  await call('dialog.chooseSources', { kind: 'folders' });
  await call('drives.list', {});
  const r = await call('engine.seal', { jobId: `job-pre-${Date.now()}`, sources: [h.world.sourcesDir], driveId: '/dev/sdx1', recipients: { unlockCode: true, escrow: false, customerKeys: [] } });
  if (!r.ok) throw new Error(`seal failed: ${r.error.code}`);
  return r.value as { driveId: string; driveDir: string; unlockCode: string };
}

/** A valid-looking code that is not this drive's: another drive's code. */
export async function otherCode(h: Harness): Promise<string> {
  return (await sealSample(h)).unlockCode;
}
