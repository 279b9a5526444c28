/**
 * Resume an interrupted seal from the technicians' dashboard, end to end with the REAL engine
 * (in its worker) and the REAL custody service: a seal of 8 MiB in 1 MiB parts is cancelled
 * mid-way on the LIVRAISON drive, the dashboard lists it as interrupted (drive id, attached
 * drive, recorded sources, parts done / total) in both languages, and "Resume" finishes it:
 * a new unlock code shown once, the `sealed` event recorded and synced, the drive listed as
 * sealed, and it verifies in full with that code. A second test interrupts the seal in the UI
 * (cancel in the sealing form) and resumes it from the dashboard, with its progress shown.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { loadStationIdentity } from '../../electron/station.js';
import { makeInterruptedSeal } from '../support/interrupted-seal.js';
import { callAs, checkA11y, expect, shot, switchLanguage, test } from './fixtures.js';

const MiB = 1 << 20;

test('an interrupted seal is listed on the dashboard and resumed from it', async ({ app: page, harness }) => {
  const src = join(harness.world.root, 'sources', 'Dossier client 7788');
  mkdirSync(src, { recursive: true });
  const big = Buffer.alloc(8 * MiB + 5);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(join(src, 'archive.bin'), big);
  writeFileSync(join(src, 'notes.txt'), 'Lot de données du client.\n');
  const station = await loadStationIdentity(harness.world.stationKeyFile);
  const driveDir = await makeInterruptedSeal({ sources: [src], target: harness.world.driveDir, station, partPlaintextSize: MiB, stopAfterBytes: 6 * MiB });
  station.secretKey.fill(0);
  const driveId = driveDir.split('SCELLE-')[1]!;
  expect((await callAs(harness, 'drives.list', {})).ok).toBe(true);

  await page.getByRole('button', { name: 'Disques du poste' }).click();
  const row = page.getByTestId(`interrupted-row-${driveId}`);
  await expect(page.getByRole('heading', { name: 'Scellements interrompus' })).toBeVisible();
  await expect(row.getByRole('rowheader')).toHaveText(driveId);
  await expect(row).toContainText('/dev/sdx1');
  await expect(row).toContainText(src);
  await expect(row).toContainText(/\d partie(s)? terminée(s)? sur 9/);
  await expect(page.getByTestId('dash-count')).toHaveText('Aucun disque n’a encore été scellé à ce poste.');
  await shot(page, 'dashboard-interrupted-fr-CA');
  await checkA11y(page, 'dashboard with an interrupted seal (fr-CA)');

  await switchLanguage(page, 'en');
  await expect(page.getByRole('heading', { name: 'Interrupted seals' })).toBeVisible();
  await expect(row).toContainText(/\d parts? done of 9/);
  await expect(row.getByRole('button')).toHaveText('Resume the seal');
  await shot(page, 'dashboard-interrupted-en');
  await switchLanguage(page, 'fr-CA');

  await page.getByRole('button', { name: `Reprendre le scellement — disque ${driveId}` }).click();
  await expect(page.getByTestId('resume-done')).toHaveText(`Le scellement du disque ${driveId} est terminé et inscrit au registre de garde.`, { timeout: 60_000 });
  const code = (await page.getByTestId('resume-unlock-code').textContent())!.trim();
  expect(code).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
  await expect(page.getByTestId('interrupted-table')).toHaveCount(0);
  await expect(page.getByTestId(`dash-row-${driveId}`).getByTestId('dash-state')).toHaveText('Scellé');
  await expect(page.getByTestId('dash-count')).toHaveText('1 disque');
  await shot(page, 'dashboard-resumed-fr-CA');
  await checkA11y(page, 'dashboard after a resume (fr-CA)');

  const journal = await harness.world.custody.journal();
  expect(journal.eventsForDrive(driveId).map((e) => e.type)).toEqual(['sealed']);
  const unlocked = await callAs(harness, 'engine.unlock', { driveDir, code });
  if (!unlocked.ok) throw new Error(`unlock failed: ${unlocked.error.code}`);
  const verified = await callAs(harness, 'engine.verify', { jobId: 'verify-resumed', driveDir, sessionId: (unlocked.value as { sessionId: string }).sessionId });
  expect(verified).toMatchObject({ ok: true, value: { ok: true, level: 'full', problems: [] } });
});

test('a seal cancelled in the sealing form is resumed from the dashboard, with progress', async ({ app: page, harness }) => {
  // A large sparse file makes the real engine's seal last long enough to cancel and to watch.
  const big = join(harness.world.root, 'sources', 'grand');
  mkdirSync(big, { recursive: true });
  const fh = await open(join(big, 'image.bin'), 'w');
  await fh.truncate(768 * MiB);
  await fh.close();
  harness.world.dialogs.sources.push([big]);
  await page.getByRole('button', { name: 'Ajouter des dossiers…' }).click();
  await page.getByRole('radio', { name: /LIVRAISON/ }).check();
  await expect(page.getByTestId('drive-check')).toContainText('Ce disque convient.');
  await page.getByRole('button', { name: 'Sceller le disque' }).click();
  await expect(page.getByTestId('progress-percent')).toBeVisible();
  // Cancel once bytes are being sealed (the drive folder and its state exist), not while the sources are counted.
  await page.waitForFunction(() => Number(document.querySelector('progress')?.value) >= 1, null, { polling: 'raf', timeout: 30_000 });
  await page.getByRole('button', { name: 'Annuler l’opération' }).click();
  await expect(page.getByTestId('seal-cancelled')).toBeVisible();

  await page.getByRole('button', { name: 'Disques du poste' }).click();
  const table = page.getByTestId('interrupted-table');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  const driveId = (await table.locator('tbody th').textContent())!.trim();
  const row = page.getByTestId(`interrupted-row-${driveId}`);
  await expect(row).toContainText(big);
  // 768 MiB in one 1 GiB part: nothing finished yet (French counts 0 in the singular).
  await expect(row).toContainText('0 partie terminée sur 1');
  await row.getByRole('button', { name: `Reprendre le scellement — disque ${driveId}` }).click();
  const progress = page.getByRole('group', { name: `Reprise du scellement du disque ${driveId}` });
  await expect(progress.getByRole('progressbar')).toBeVisible();
  await expect(progress.getByRole('button', { name: 'Annuler l’opération' })).toBeVisible();
  await shot(page, 'dashboard-resuming-fr-CA');
  await expect(page.getByTestId('resume-done')).toBeVisible({ timeout: 110_000 });
  await expect(page.getByTestId('resume-unlock-code')).toHaveText(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
  await expect(page.getByTestId(`dash-row-${driveId}`).getByTestId('dash-state')).toHaveText('Scellé');
  expect((await harness.world.custody.journal()).eventsForDrive(driveId).map((e) => e.type)).toEqual(['sealed']);
});
