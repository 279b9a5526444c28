/**
 * Resuming sealed sets in the app, end to end (real handlers, real engine in a worker, real
 * custody service, the built renderer in Chromium). In French: the technician cancels at the
 * question for drive 2 of 3; the dashboard lists the stopped set (next drive, recorded sources);
 * they continue it onto another attached drive, answer the question for drive 3 and the set is
 * sealed to the end: the unlock code shown once, each member written by the continuation named
 * with its place in the whole set, its packing slip saved, the stopped set gone. In English: a
 * set member interrupted on its drive is listed as "drive 2 of N of set …", resumed as a set
 * (the next drives asked for), and the code shown opens the whole set, member 1 included.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { loadStationIdentity } from '../../electron/station.js';
import { seal } from '../../shared/engine/index.js';
import type { Harness } from './harness-server.js';
import { callAs, checkA11y, expect, shot, switchLanguage, test } from './fixtures.js';

/** Free space of each member drive as listed: a set of three for the sources below. */
const MEMBER_FREE = 3_000_000;

/** Sources of about 4.5 MB (three photos) that need three drives of MEMBER_FREE. */
async function setSources(h: Harness, name: string): Promise<string> {
  const dir = join(h.world.root, 'sources', name);
  await mkdir(join(dir, 'photos'), { recursive: true });
  for (let i = 0; i < 3; i++) await appendFile(join(dir, 'photos', `photo-${i}.bin`), randomBytes(1_500_000));
  await appendFile(join(dir, 'lisez-moi.txt'), 'Archives du client.\n');
  return dir;
}

/** Answers the open question "attach drive N of M" with the drive labelled `label` (attached now). */
async function answerNextDrive(page: Page, h: Harness, title: string, label: string, refresh: string, use: string): Promise<void> {
  const prompt = page.getByRole('dialog', { name: title });
  await expect(prompt).toBeVisible({ timeout: 60_000 });
  await h.world.attachDrive(label, MEMBER_FREE);
  await prompt.getByRole('button', { name: refresh }).click();
  await prompt.getByRole('radio', { name: new RegExp(label) }).check();
  await prompt.getByRole('button', { name: use }).click();
}

test('Technician: a set stopped at the question for the next drive is listed on the dashboard, continued onto another drive and sealed to the end (fr-CA)', async ({
  app: page,
  harness,
}) => {
  const src = await setSources(harness, 'lot-arrete');
  harness.world.dialogs.sources.push([src]);
  await harness.world.attachDrive('ARRET-A', MEMBER_FREE);
  await page.getByRole('button', { name: 'Actualiser', exact: true }).click();
  await page.getByRole('button', { name: 'Ajouter des dossiers…' }).click();
  await expect(page.getByTestId('source-count')).toContainText('Total : 4 fichiers');
  await page.getByRole('radio', { name: /ARRET-A/ }).check();
  await page.getByRole('checkbox', { name: 'Sceller en ensemble sur plusieurs disques' }).check();
  await page.getByRole('button', { name: 'Sceller le disque' }).click();

  // No drive at hand: the technician stops at the question for drive 2.
  const prompt = page.getByRole('dialog', { name: 'Branchez le disque 2 sur 3' });
  await expect(prompt).toBeVisible({ timeout: 60_000 });
  await prompt.getByRole('button', { name: 'Annuler le scellement' }).click();
  await expect(page.getByTestId('set-incomplete')).toContainText('1 disque déjà scellé appartient à un ensemble incomplet');
  await expect(page.getByTestId('set-incomplete')).toContainText('Continuez l’ensemble depuis les disques du poste');
  await expect(page.getByTestId('unlock-code')).toHaveCount(0);

  // The dashboard lists it: the drive it goes on with, the recorded sources.
  await page.getByRole('button', { name: 'Disques du poste' }).click();
  await expect(page.getByRole('heading', { name: 'Ensembles arrêtés' })).toBeVisible();
  await expect(page.getByTestId('stopped-sets').locator('tbody tr')).toHaveCount(1);
  const setId = (await page.getByTestId('stopped-sets').locator('tbody th').textContent())!.trim();
  expect(setId).toMatch(/^[0-9A-Z]{16}$/);
  const row = page.getByTestId(`stopped-set-${setId}`);
  await expect(row.getByRole('rowheader')).toHaveText(setId);
  await expect(row).toContainText('Disque 2 sur 3');
  await expect(row).toContainText(src);
  await expect(row.getByRole('button', { name: `Continuer l’ensemble ${setId}` })).toBeDisabled();
  await shot(page, 'sets-stopped-fr-CA');
  await checkA11y(page, 'dashboard with a stopped set (fr-CA)');

  // The next day: another drive is attached and chosen.
  await harness.world.attachDrive('ARRET-B', MEMBER_FREE);
  await page.getByRole('button', { name: 'Actualiser les disques' }).click();
  const chooser = row.getByRole('combobox', { name: `Disque où continuer l’ensemble ${setId}` });
  await chooser.selectOption((await chooser.locator('option', { hasText: 'ARRET-B' }).getAttribute('value'))!);
  await row.getByRole('button', { name: `Continuer l’ensemble ${setId}` }).click();

  // The sealing form runs it as a new set: progress, the question for drive 3, the code once.
  await expect(page.getByTestId('set-resume-note')).toContainText(`Reprise de l’ensemble ${setId} à partir du disque 2 sur 3`);
  await expect(page.getByTestId('set-member-1')).toHaveAttribute('data-state', 'earlier');
  await answerNextDrive(page, harness, 'Branchez le disque 3 sur 3', 'ARRET-C', 'Actualiser la liste', 'Continuer sur ce disque');
  await expect(page.getByTestId('unlock-code')).toHaveText(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/, { timeout: 60_000 });
  await expect(page.getByTestId('seal-done')).toContainText(`Ensemble ${setId} scellé jusqu’au bout (3 disques en tout) : cette reprise en a scellé 2 disques.`);
  const members = page.getByTestId('set-result').getByRole('listitem');
  await expect(members).toHaveCount(2);
  await expect(members.nth(0)).toContainText(/Disque 2 \/ 3 : [0-9A-Z]{16} sur ARRET-B/);
  await expect(members.nth(1)).toContainText(/Disque 3 \/ 3 : [0-9A-Z]{16} sur ARRET-C/);
  await expect(page.getByTestId('set-member-1')).toContainText('Disque 1 / 3 (—) : scellé plus tôt');
  await expect(page.getByTestId('set-progress')).toContainText('3 disques, 2 scellés');
  await shot(page, 'sets-continued-fr-CA');
  await checkA11y(page, 'technician set continued (fr-CA)');
  await page.getByRole('button', { name: /J’ai transmis ou consigné le code/ }).click();

  // Each member gets its packing slip naming its place in the whole set.
  const ship = page.getByTestId('set-ship-member');
  await ship.getByRole('radio', { name: /Disque 3 \/ 3/ }).check();
  await page.getByLabel('Numéro de suivi', { exact: true }).fill('1Z 999 AA1 01 2345 6784');
  await expect(page.getByTestId('tracking-status')).toContainText('Numéro valide — UPS');
  await page.getByRole('button', { name: 'Enregistrer le bordereau (PDF)' }).click();
  await expect(page.getByTestId('ship-message')).toContainText('Enregistré :');
  const slip = [...harness.world.written.keys()].find((p) => p.endsWith('-3-3.pdf'))!;
  expect(slip).toBeTruthy();
  expect((await readFile(slip)).subarray(0, 5).toString()).toBe('%PDF-');

  // The stopped set is gone from the dashboard; the record left the station's folder.
  await page.getByRole('button', { name: 'Disques du poste' }).click();
  await expect(page.getByTestId('stopped-sets')).toHaveCount(0);
  expect(await readdir(join(harness.world.root, 'unfinished-sets'))).toEqual([]);
});

test('Technician: a set member interrupted on its drive is listed as drive 2 of its set and resumed as a set, asking for the next drives (en)', async ({ app: page, harness }) => {
  await switchLanguage(page, 'en');
  const src = await setSources(harness, 'lot-coupe');
  const first = await harness.world.attachDrive('COUPE-A', MEMBER_FREE);
  const second = await harness.world.attachDrive('COUPE-B', MEMBER_FREE);
  // The engine seals member 1 and is stopped while writing member 2 (as a cable pulled would).
  const station = await loadStationIdentity(harness.world.stationKeyFile);
  const stop = new AbortController();
  const err = await seal(
    {
      sources: [src],
      target: first.mountpoint,
      station,
      recipients: { unlockCode: true, x25519: [] },
      partPlaintextSize: 64 * 1024,
      signal: stop.signal,
      set: {
        more: [],
        memberBytes: 2_400_000,
        nextTarget: async (r) => (r.position === 2 ? second.mountpoint : Promise.reject(new Error('stopped first'))),
        onMemberSealed: (m) => {
          if (m.position === 1) setTimeout(() => stop.abort(), 0);
        },
      },
    },
    { sinkMode: 'inline' },
  ).catch((e: unknown) => e);
  station.secretKey.fill(0);
  expect(err).toMatchObject({ code: 'E_CANCELLED' });
  expect((await callAs(harness, 'drives.list', {})).ok).toBe(true);

  await page.getByRole('button', { name: 'Station drives' }).click();
  const table = page.getByTestId('interrupted-table');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  const place = table.getByTestId('interrupted-set-place');
  await expect(place).toHaveText(/^Drive 2 of \d+ of set [0-9A-Z]{16}$/);
  const [, total, setId] = (await place.textContent())!.match(/^Drive 2 of (\d+) of set ([0-9A-Z]{16})$/)!;
  const driveId = (await table.locator('tbody th .mono').textContent())!.trim();
  await expect(table).toContainText(src);
  await expect(page.getByText('A drive of a set resumes the set: the same unlock code opens all its drives')).toBeVisible();
  await shot(page, 'sets-interrupted-member-en');
  await checkA11y(page, 'dashboard with an interrupted set member (en)');

  await table.getByRole('button', { name: `Resume the set — drive ${driveId}` }).click();
  await expect(page.getByTestId('set-resume-note')).toContainText(`Resuming set ${setId} from drive 2 of ${total}`);
  for (let p = 3; p <= Number(total); p++) await answerNextDrive(page, harness, `Attach drive ${p} of ${total}`, `COUPE-${p}`, 'Refresh the list', 'Continue on this drive');
  const code = page.getByTestId('unlock-code');
  await expect(code).toHaveText(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/, { timeout: 60_000 });
  await expect(page.getByTestId('seal-done')).toContainText(`Set ${setId} sealed to the end (${total} drives in all)`);
  await expect(page.getByTestId('set-result').getByRole('listitem').first()).toContainText(new RegExp(`Drive 2 / ${total}: ${driveId} on COUPE-B`));
  await expect(page.getByTestId('set-member-1')).toHaveAttribute('data-state', 'earlier');
  await shot(page, 'sets-member-resumed-en');

  // The code shown is the set's: it opens member 1, sealed before the interruption, with the members resumed.
  const unlockCode = (await code.textContent())!.trim();
  const m1 = join(first.mountpoint, (await readdir(first.mountpoint))[0]!);
  harness.world.handlers.grants.grant(m1);
  const listed = await callAs(harness, 'custody.stationDrives', {});
  if (!listed.ok) throw new Error(listed.error.code);
  const dirs = (listed.value as { drives: { driveDir: string | null }[] }).drives.map((d) => d.driveDir).filter((d): d is string => d !== null && d !== m1);
  const unlocked = await callAs(harness, 'engine.unlock', { driveDir: m1, code: unlockCode, members: dirs });
  expect(unlocked).toMatchObject({ ok: true });
  expect((listed.value as { interrupted: unknown[] }).interrupted).toEqual([]);
});
