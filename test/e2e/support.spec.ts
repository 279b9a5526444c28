/**
 * Soutien workspace, end to end: a drive found by tracking number with its verified custody
 * timeline, exported as PDF and CSV; and the custody service offline.
 */
import { readFile } from 'node:fs/promises';
import { startFakeCustody, type FakeCustody } from './fake-custody-server.js';
import { checkA11y, expect, openTab, sealSample, shot, switchLanguage, test } from './fixtures.js';

let custody: FakeCustody;
test.beforeAll(async () => { custody = await startFakeCustody(); });
test.afterAll(async () => { await custody.close(); });

test('finds a drive by tracking number and exports its timeline', async ({ app: page, harness }) => {
  await harness.world.settings.set({ custodyUrl: custody.url });
  const drive = await sealSample(harness);
  const rec = await harness.world.handlers.handle({ channel: 'custody.record', senderUrl: new URL(harness.url).origin + '/', payload: { driveId: drive.driveId, type: 'shipped', data: { carrier: 'canada-post', trackingNumber: '1234567890123452' } } });
  expect(rec.ok).toBe(true);
  await page.reload();
  await openTab(page, 2);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rechercher un disque');
  await page.getByLabel('Valeur recherchée').fill('1234567890123452');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByTestId('support-count')).toHaveText('1 disque(s) trouvé(s)');
  await expect(page.getByTestId('chain-ok')).toBeVisible();
  const table = page.getByRole('table');
  await expect(table.getByRole('row')).toHaveCount(3);
  await expect(table).toContainText('Scellé');
  await expect(table).toContainText('Expédié');
  await expect(table).toContainText('station:station-test-01');
  await shot(page, 'support-timeline-fr-CA');
  await checkA11y(page, 'support (timeline, fr-CA)');
  await page.getByRole('button', { name: 'Exporter en CSV' }).click();
  await expect(page.getByTestId('export-saved')).toContainText('.csv');
  const csv = [...harness.world.written.keys()].find((p) => p.endsWith('.csv'))!;
  expect(await readFile(csv, 'utf8')).toContain('shipped');
  await page.getByRole('button', { name: 'Exporter en PDF' }).click();
  await expect(page.getByTestId('export-saved')).toContainText('.pdf');
  await switchLanguage(page, 'en');
  await expect(table).toContainText('Shipped');
  await shot(page, 'support-timeline-en');
  await checkA11y(page, 'support (timeline, en)');
});

test('says what to do when the custody service is offline', async ({ app: page, harness }) => {
  await harness.world.settings.set({ custodyUrl: 'http://127.0.0.1:9' });
  await openTab(page, 2);
  await page.getByLabel('Valeur recherchée').fill('1Z999AA10123456784');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Le service de possession est injoignable');
  await expect(alert).toContainText('Que faire : Vérifiez la connexion');
  await shot(page, 'support-offline-fr-CA');
  await checkA11y(page, 'support (offline, fr-CA)');
  await switchLanguage(page, 'en');
  await expect(alert).toContainText('The custody service cannot be reached');
  await shot(page, 'support-offline-en');
});
