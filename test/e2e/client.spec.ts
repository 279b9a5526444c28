/**
 * Client workspace, end to end: authenticity and integrity before any question, typo caught
 * as typed, wrong code refused, restore with progress, receipt confirmed, drive erased; and a
 * corrupted drive stopped before the unlock step.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkA11y, expect, openTab, sealSample, shot, switchLanguage, test } from './fixtures.js';

test('checks, unlocks, restores, confirms and erases a drive (fr-CA, then en)', async ({ app: page, harness }) => {
  const other = await sealSample(harness);
  await rm(other.driveDir, { recursive: true });
  const drive = await sealSample(harness);
  await openTab(page, 1);
  await page.getByRole('button', { name: 'Actualiser' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recevoir un disque');
  await shot(page, 'client-pick-fr-CA');
  await checkA11y(page, 'client (pick, fr-CA)');
  await page.getByRole('button', { name: new RegExp(`Disque ${drive.driveId}`) }).click();
  await expect(page.getByTestId('integrity-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('authenticity')).toContainText('station-test-01');

  const input = page.getByLabel('Code de déverrouillage', { exact: true });
  await input.fill(drive.unlockCode.slice(0, 9));
  await expect(page.getByTestId('code-status')).toHaveText('Continuez la saisie.');
  const c = drive.unlockCode;
  const [a, b, d] = [c.charAt(0), c.charAt(1), c.charAt(2)];
  const swapped = a === b ? a + d + b + c.slice(3) : b + a + c.slice(2);
  await input.fill(swapped);
  await expect(page.getByTestId('code-status')).toContainText('faute de frappe');
  await expect(page.getByRole('button', { name: 'Déverrouiller' })).toBeDisabled();
  await shot(page, 'client-typo-fr-CA');
  await checkA11y(page, 'client (typo, fr-CA)');

  await input.fill(other.unlockCode.toLowerCase().replace(/-/g, ' '));
  await expect(page.getByTestId('code-status')).toHaveText('Le code est bien formé.');
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Ce code n’ouvre pas ce disque.' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('alert')).toContainText(drive.driveId);
  await shot(page, 'client-wrong-code-fr-CA');

  await input.fill(drive.unlockCode);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await expect(page.getByTestId('unlocked')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('Dossier client 4521/contrat.txt')).toBeVisible();
  await page.getByRole('checkbox', { name: /contrat\.txt/ }).uncheck();
  await page.getByRole('button', { name: 'Choisir le dossier de destination…' }).click();
  await page.getByRole('button', { name: 'Restaurer', exact: true }).click();
  await expect(page.getByTestId('restored')).toContainText('2 fichiers restaurés et vérifiés', { timeout: 60_000 });
  const restored = await readFile(join(harness.world.restoreDir, 'Dossier client 4521', 'factures', '2024-02.csv'), 'utf8');
  expect(restored).toContain('130.00');
  await shot(page, 'client-restored-fr-CA');
  await checkA11y(page, 'client (restored, fr-CA)');

  await switchLanguage(page, 'en');
  await expect(page.getByTestId('restored')).toContainText('2 files restored and verified');
  await page.getByRole('button', { name: 'Confirm receipt' }).click();
  await expect(page.getByTestId('confirmed')).toContainText('Receipt confirmed.');
  await page.getByRole('checkbox', { name: /I checked my files/ }).check();
  await page.getByRole('button', { name: 'Erase', exact: true }).click();
  await expect(page.getByTestId('erased')).toHaveText('Drive erased; the sanitization record is in the custody log.');
  expect(await readdir(harness.world.driveDir)).not.toContain(`SCELLE-${drive.driveId}`);
  // The erase is in the chain: an `erased` event signed by the customer, with its sanitization record.
  const [timeline] = await harness.world.custody.lookup('drive', drive.driveId);
  const erasedEvent = timeline?.events.find((e) => e.type === 'erased');
  expect(erasedEvent).toBeDefined();
  await shot(page, 'client-erased-en');
  await checkA11y(page, 'client (erased, en)');
});

test('stops at a corrupted drive before asking for the code', async ({ app: page, harness }) => {
  const drive = await sealSample(harness);
  const payload = join(drive.driveDir, 'payload');
  const [part] = (await readdir(payload)).sort();
  const file = join(payload, part!);
  const bytes = await readFile(file);
  const mid = Math.floor(bytes.length / 2);
  bytes[mid] = (bytes[mid] ?? 0) ^ 0xff;
  await writeFile(file, bytes);
  await switchLanguage(page, 'en');
  await openTab(page, 1);
  await page.getByRole('button', { name: new RegExp(`Drive ${drive.driveId}`) }).click();
  await expect(page.getByTestId('integrity-bad')).toContainText('The drive is not intact', { timeout: 60_000 });
  await expect(page.getByLabel('Unlock code', { exact: true })).toHaveCount(0);
  await shot(page, 'client-corrupted-en');
  await checkA11y(page, 'client (corrupted, en)');
  await switchLanguage(page, 'fr-CA');
  await expect(page.getByTestId('integrity-bad')).toContainText('n’est pas intact');
  await shot(page, 'client-corrupted-fr-CA');
});
