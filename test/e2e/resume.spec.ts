/**
 * Resume an interrupted seal from the technicians' dashboard, end to end with the REAL engine
 * (in its worker) and the REAL custody service: a seal of 8 MiB in 1 MiB parts is cancelled
 * mid-way on the LIVRAISON drive, the dashboard lists it as interrupted (drive id, attached
 * drive, recorded sources, parts done / total) in both languages, and "Resume" finishes it:
 * a new unlock code shown once, the `sealed` event recorded and synced, the drive listed as
 * sealed, and it verifies in full with that code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
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
