/**
 * Technicien workspace, end to end: sources → drive → recipients → seal with progress →
 * unlock code shown once → verify (custody event `verified`) → tracking number → shipment recorded and synced with the
 * real custody service → packing slip. Also: cancel, and a drive that is too small.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkA11y, expect, shot, switchLanguage, test } from './fixtures.js';

test('seals, verifies, records the shipment and saves the slip (fr-CA)', async ({ app: page, harness }) => {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préparer un disque');
  await shot(page, 'technician-empty-fr-CA');
  await checkA11y(page, 'technician (empty, fr-CA)');

  await page.getByRole('button', { name: 'Ajouter des dossiers…' }).click();
  await expect(page.getByTestId('source-count')).toContainText(/^Total : 3 fichiers dans 2 dossiers, /);
  await page.getByRole('radio', { name: /LIVRAISON/ }).check();
  await expect(page.getByTestId('drive-check')).toContainText('Ce disque convient.');
  await shot(page, 'technician-ready-fr-CA');

  await page.getByRole('button', { name: 'Sceller le disque' }).click();
  const code = page.getByTestId('unlock-code');
  await expect(code).toHaveText(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/, { timeout: 60_000 });
  await expect(page.getByTestId('seal-done')).toContainText('scellé : 3 fichiers');
  await shot(page, 'technician-code-fr-CA');
  await checkA11y(page, 'technician (code shown, fr-CA)');
  await page.getByRole('button', { name: /J’ai transmis ou consigné le code/ }).click();
  await expect(code).toHaveCount(0);

  await page.getByRole('button', { name: 'Vérifier le disque' }).click();
  await expect(page.getByTestId('verify-ok')).toBeVisible({ timeout: 60_000 });
  // Like `scelle verify`, the check is recorded as the station's `verified` event.
  await expect(page.getByTestId('verify-recorded')).toContainText('Événement enregistré et synchronisé.');
  expect((await harness.world.custody.journal()).pending()).toEqual([]);

  const tracking = page.getByLabel('Numéro de suivi');
  await tracking.fill('1Z999AA10123456785');
  await expect(page.getByTestId('tracking-status')).toContainText('n’est valide pour aucun transporteur');
  await tracking.fill('1Z 999 AA1 01 2345 6784');
  await expect(page.getByTestId('tracking-status')).toContainText('Numéro valide — UPS');
  await page.getByRole('button', { name: 'Enregistrer l’expédition' }).click();
  await expect(page.getByTestId('ship-message')).toContainText('Événement enregistré et synchronisé.');
  expect((await harness.world.custody.journal()).pending()).toEqual([]);
  await page.getByRole('button', { name: 'Enregistrer le bordereau (PDF)' }).click();
  await expect(page.getByTestId('ship-message')).toContainText('Enregistré :');
  const slip = [...harness.world.written.keys()].find((p) => p.endsWith('.pdf'))!;
  expect((await readFile(slip)).subarray(0, 5).toString()).toBe('%PDF-');
  await shot(page, 'technician-shipped-fr-CA');
  await checkA11y(page, 'technician (shipped, fr-CA)');

  await switchLanguage(page, 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Prepare a drive');
  await expect(page.getByTestId('verify-ok')).toContainText('Verification passed');
  await shot(page, 'technician-shipped-en');
  await checkA11y(page, 'technician (shipped, en)');
});

test('cancels a seal in progress', async ({ app: page, harness }) => {
  // A large sparse file makes the real engine's seal last long enough to cancel.
  const big = join(harness.world.root, 'sources', 'grand');
  await import('node:fs/promises').then((fs) => fs.mkdir(big, { recursive: true }));
  const fh = await open(join(big, 'image.bin'), 'w');
  await fh.truncate(768 * 1024 ** 2);
  await fh.close();
  harness.world.dialogs.sources.push([big]);
  await switchLanguage(page, 'en');
  await page.getByRole('button', { name: 'Add folders…' }).click();
  // Plurals in English: one file in one folder, never "1 files"
  await expect(page.getByTestId('source-count')).toContainText(/^Total: 1 file in 1 folder, /);
  await page.getByRole('radio', { name: /LIVRAISON/ }).check();
  await expect(page.getByTestId('drive-check')).toContainText('This drive is suitable.');
  await page.getByRole('button', { name: 'Seal the drive' }).click();
  await expect(page.getByTestId('progress-percent')).toBeVisible();
  await expect(page.getByRole('progressbar')).toBeVisible();
  // While the one large file is sealed, the file under way is named, never "0 files".
  await expect(page.getByTestId('progress-text')).toContainText('file 1 of 1');
  await expect(page.getByTestId('progress-text')).not.toContainText(/\b0 files\b/);
  await shot(page, 'technician-progress-en');
  await page.getByRole('button', { name: 'Cancel the operation' }).click();
  await expect(page.getByTestId('seal-cancelled')).toContainText('Operation cancelled');
  await expect(page.getByTestId('unlock-code')).toHaveCount(0);
});

test('explains a drive that is too small', async ({ app: page }) => {
  await page.getByRole('button', { name: 'Ajouter des dossiers…' }).click();
  await expect(page.getByTestId('source-count')).toContainText('Total');
  await page.getByRole('radio', { name: /PETITE/ }).check();
  await expect(page.getByTestId('drive-check')).toContainText('Ce disque est trop petit : il manque');
  await expect(page.getByRole('button', { name: 'Sceller le disque' })).toBeDisabled();
  await shot(page, 'technician-too-small-fr-CA');
});
