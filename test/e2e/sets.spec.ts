/**
 * Sealed sets in the app, end to end (real handlers, real engine in a worker, real custody
 * service): the Technician's "attach the next drive" step (a drive refused with why, the next
 * one accepted, the members written and sealed, one packing slip per member naming its place),
 * cancel while waiting for a drive, and the Client's view of a set's members present and
 * missing, what can be restored now and what waits for the missing member. Both languages.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Harness } from './harness-server.js';
import { callAs, checkA11y, expect, openTab, shot, switchLanguage, test } from './fixtures.js';

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

/** Chooses the sources and the first drive, and turns the set on (waiting for drives as it goes). */
async function startSetSeal(page: Page, h: Harness, lang: 'fr-CA' | 'en'): Promise<void> {
  const fr = lang === 'fr-CA';
  h.world.dialogs.sources.push([await setSources(h, `lot-${lang}`)]);
  await h.world.attachDrive(`MEMBRE-A-${lang}`, MEMBER_FREE);
  await page.getByRole('button', { name: fr ? 'Actualiser' : 'Refresh', exact: true }).click();
  await page.getByRole('button', { name: fr ? 'Ajouter des dossiers…' : 'Add folders…' }).click();
  await expect(page.getByTestId('source-count')).toContainText(fr ? 'Total : 4 fichiers' : 'Total: 4 files');
  await page.getByRole('radio', { name: new RegExp(`MEMBRE-A-${lang}`) }).check();
  await expect(page.getByTestId('drive-check')).toContainText(fr ? 'Ce disque est trop petit' : 'This drive is too small');
  await expect(page.getByRole('button', { name: fr ? 'Sceller le disque' : 'Seal the drive' })).toBeDisabled();
  await expect(page.getByTestId('set-options')).toContainText(fr ? 'Les données ne tiennent pas sur ce disque' : 'The data does not fit on this drive');
  await page.getByRole('checkbox', { name: fr ? 'Sceller en ensemble sur plusieurs disques' : 'Seal as a set over several drives' }).check();
  await expect(page.getByRole('checkbox', { name: fr ? /Continuer sur d’autres disques/ : /Continue on more drives/ })).toBeChecked();
  await page.getByRole('button', { name: fr ? 'Sceller le disque' : 'Seal the drive' }).click();
}

test('Technician: seals a set, asking for the next drive, refusing one too small, and saves a packing slip per member (fr-CA)', async ({ app: page, harness }) => {
  await startSetSeal(page, harness, 'fr-CA');
  const prompt = page.getByRole('dialog', { name: 'Branchez le disque 2 sur 3' });
  await expect(prompt).toBeVisible({ timeout: 60_000 });
  await expect(prompt.getByTestId('next-drive-need')).toContainText(/Il deviendra le disque [0-9A-Z]{16} et doit avoir au moins .* libres/);
  await expect(page.getByTestId('set-member-1')).toHaveAttribute('data-state', 'sealed');
  await expect(page.getByTestId('set-member-2')).toHaveAttribute('data-state', 'waiting');
  await expect(page.getByTestId('set-progress')).toContainText('3 disques, 1 scellé');
  // The drive already holding member 1 cannot be chosen.
  await expect(prompt.getByRole('radio', { name: /MEMBRE-A-fr-CA/ })).toBeDisabled();
  await shot(page, 'sets-next-drive-fr-CA');
  await checkA11y(page, 'technician next drive (fr-CA)');

  // A drive too small is refused with what it needs and has; the question stays.
  await harness.world.attachDrive('PETIT-B', 100_000);
  await prompt.getByRole('button', { name: 'Actualiser la liste' }).click();
  await prompt.getByRole('radio', { name: /PETIT-B/ }).check();
  await prompt.getByRole('button', { name: 'Continuer sur ce disque' }).click();
  await expect(prompt.getByTestId('next-drive-refused')).toContainText(/Disque refusé : il faut .* libres et ce disque n’en a que 100 ko\. Choisissez-en un autre\./);
  await shot(page, 'sets-next-drive-refused-fr-CA');

  await harness.world.attachDrive('MEMBRE-B', MEMBER_FREE);
  await prompt.getByRole('button', { name: 'Actualiser la liste' }).click();
  await prompt.getByRole('radio', { name: /MEMBRE-B/ }).check();
  await prompt.getByRole('button', { name: 'Continuer sur ce disque' }).click();
  const third = page.getByRole('dialog', { name: 'Branchez le disque 3 sur 3' });
  await expect(third).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('set-member-2')).toHaveAttribute('data-state', 'sealed');
  await harness.world.attachDrive('MEMBRE-C', MEMBER_FREE);
  await third.getByRole('button', { name: 'Actualiser la liste' }).click();
  await third.getByRole('radio', { name: /MEMBRE-C/ }).check();
  await third.getByRole('button', { name: 'Continuer sur ce disque' }).click();

  await expect(page.getByTestId('unlock-code')).toHaveText(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/, { timeout: 60_000 });
  await expect(page.getByTestId('seal-done')).toContainText(/Ensemble [0-9A-Z]{16} scellé sur 3 disques : 4 fichiers/);
  const members = page.getByTestId('set-result').getByRole('listitem');
  await expect(members).toHaveCount(3);
  await expect(members.nth(0)).toContainText(/Disque 1 \/ 3 : [0-9A-Z]{16} sur MEMBRE-A-fr-CA/);
  await expect(members.nth(1)).toContainText(/Disque 2 \/ 3 : [0-9A-Z]{16} sur MEMBRE-B/);
  await expect(members.nth(2)).toContainText(/Disque 3 \/ 3 : [0-9A-Z]{16} sur MEMBRE-C/);
  await expect(page.getByTestId('set-progress')).toContainText('3 disques, 3 scellés');
  await shot(page, 'sets-sealed-fr-CA');
  await checkA11y(page, 'technician set sealed (fr-CA)');
  await page.getByRole('button', { name: /J’ai transmis ou consigné le code/ }).click();

  // Each member is verified and recorded.
  await page.getByRole('button', { name: 'Vérifier le disque' }).click();
  await expect(page.getByTestId('set-verify').getByRole('listitem')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByTestId('verify-recorded')).toContainText('Événement enregistré et synchronisé.');

  // One packing slip per member, naming its place in the set.
  const ship = page.getByTestId('set-ship-member');
  await ship.getByRole('radio', { name: /Disque 2 \/ 3/ }).check();
  await page.getByLabel('Numéro de suivi').fill('1Z 999 AA1 01 2345 6784');
  await expect(page.getByTestId('tracking-status')).toContainText('Numéro valide — UPS');
  await page.getByRole('button', { name: 'Enregistrer l’expédition' }).click();
  await expect(page.getByTestId('ship-message')).toContainText(/Disque 2 \/ 3 \([0-9A-Z]{16}\) : Événement enregistré et synchronisé\./);
  await page.getByRole('button', { name: 'Enregistrer le bordereau (PDF)' }).click();
  await expect(page.getByTestId('ship-message')).toContainText('Enregistré :');
  const slip = [...harness.world.written.keys()].find((p) => p.endsWith('-2-3.pdf'))!;
  expect(slip).toBeTruthy();
  expect((await readFile(slip)).subarray(0, 5).toString()).toBe('%PDF-');
  // Every member is a drive of the station's custody journal, and nothing waits to be synced.
  expect((await harness.world.custody.journal()).pending()).toEqual([]);
});

test('Technician: the next-drive step in English (the drive holding member 1 cannot be chosen, one too small is refused), then cancelling the seal, which names the member left in an incomplete set', async ({
  app: page,
  harness,
}) => {
  await switchLanguage(page, 'en');
  await startSetSeal(page, harness, 'en');
  const prompt = page.getByRole('dialog', { name: 'Attach drive 2 of 3' });
  await expect(prompt).toBeVisible({ timeout: 60_000 });
  await expect(prompt.getByTestId('next-drive-need')).toContainText(
    /It will become drive [0-9A-Z]{16} and needs at least .* free\. The previous drive is sealed: you may detach it\./,
  );
  await expect(prompt.getByRole('radio', { name: /MEMBRE-A-en · already holds a drive of this set/ })).toBeDisabled();
  await expect(page.getByTestId('set-member-1')).toContainText(/Drive 1 \/ 3 \([0-9A-Z]{16}\): sealed/);
  await expect(page.getByTestId('set-member-3')).toContainText('Drive 3 / 3 (—): to come');
  await harness.world.attachDrive('SMALL-B', 100_000);
  await prompt.getByRole('button', { name: 'Refresh the list' }).click();
  await prompt.getByRole('radio', { name: /SMALL-B/ }).check();
  await prompt.getByRole('button', { name: 'Continue on this drive' }).click();
  await expect(prompt.getByTestId('next-drive-refused')).toContainText(/Drive refused: it needs .* free and this drive has only 100 kB\. Choose another one\./);
  await shot(page, 'sets-next-drive-en');
  await checkA11y(page, 'technician next drive (en)');

  await prompt.getByRole('button', { name: 'Cancel the seal' }).click();
  await expect(page.getByTestId('seal-cancelled')).toContainText('Operation cancelled');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  // Drive 1 was sealed before the question: it belongs to an incomplete set, and the technician is told.
  await expect(page.getByTestId('set-incomplete')).toContainText('1 drive already sealed belongs to an incomplete set');
  await expect(page.getByTestId('set-incomplete')).toContainText(/Drive 1 \/ 3 \([0-9A-Z]{16}\): sealed/);
  await expect(page.getByTestId('unlock-code')).toHaveCount(0);
});

/** Seals a set over three attached drives through the handlers (no UI); answers its members. */
async function sealSetOfThree(h: Harness): Promise<{ unlockCode: string; members: { position: number; driveId: string; driveDir: string }[] }> {
  h.world.dialogs.sources.push([await setSources(h, 'lot-client')]);
  await callAs(h, 'dialog.chooseSources', { kind: 'folders' });
  const ids = [];
  for (const label of ['ENS-1', 'ENS-2', 'ENS-3']) ids.push((await h.world.attachDrive(label, MEMBER_FREE)).id);
  await callAs(h, 'drives.list', {});
  const r = await callAs(h, 'engine.seal', {
    jobId: `job-set-${Date.now()}`,
    sources: [join(h.world.root, 'sources', 'lot-client')],
    driveId: ids[0],
    recipients: { unlockCode: true, escrow: false, customerKeys: [] },
    set: { more: ids.slice(1), waitForDrives: false },
  });
  if (!r.ok) throw new Error(`set seal failed: ${r.error.code} ${r.error.message}`);
  const v = r.value as { unlockCode: string; set: { members: { position: number; driveId: string; driveDir: string }[] } };
  return { unlockCode: v.unlockCode, members: v.set.members };
}

/** Picks member `position`'s drive in the Client, unlocks it, and restores into a fresh folder. */
async function clientSetJourney(page: Page, h: Harness, lang: 'fr-CA' | 'en', missing: number, picked: number) {
  const fr = lang === 'fr-CA';
  const set = await sealSetOfThree(h);
  h.world.detachDrive(`ENS-${missing}`);
  await switchLanguage(page, lang);
  await openTab(page, 1);
  await page.getByRole('button', { name: fr ? 'Actualiser' : 'Refresh', exact: true }).click();
  const m = set.members[picked - 1]!;
  await page.getByRole('button', { name: fr ? `Disque ${m.driveId} sur ENS-${picked}` : `Drive ${m.driveId} on ENS-${picked}` }).click();
  const view = page.getByTestId('set-members');
  await expect(view).toBeVisible({ timeout: 30_000 });
  await expect(view).toContainText(fr ? `Ce disque est le disque ${picked} sur 3 d’un ensemble scellé.` : `This drive is drive ${picked} of 3 of a sealed set.`);
  for (const x of set.members) {
    const row = page.getByTestId(`member-${x.position}`);
    await expect(row).toHaveAttribute('data-present', String(x.position !== missing));
    const state = x.position === missing ? (fr ? 'manquant' : 'missing') : fr ? 'branché' : 'attached';
    await expect(row).toHaveText(fr ? `Disque ${x.position} / 3 — ${x.driveId} : ${state}` : `Drive ${x.position} / 3 — ${x.driveId}: ${state}`);
  }
  await expect(page.getByTestId('set-members-summary')).toContainText(fr ? '1 disque manque' : '1 drive is missing');
  await expect(page.getByTestId('integrity-ok')).toBeVisible({ timeout: 60_000 });
  await shot(page, `sets-client-members-${lang}`);
  await checkA11y(page, `client set members (${lang})`);

  await page.getByLabel(fr ? 'Code de déverrouillage' : 'Unlock code').fill(set.unlockCode);
  await page.getByRole('button', { name: fr ? 'Déverrouiller' : 'Unlock', exact: true }).click();
  const now = page.getByTestId('set-availability');
  await expect(now).toBeVisible({ timeout: 60_000 });
  const absent = set.members[missing - 1]!;
  await expect(now).toContainText(fr ? 'Ce qui peut être restauré maintenant' : 'What can be restored now');
  await expect(page.getByTestId(`waits-${missing}`)).toContainText(
    fr
      ? new RegExp(`\\d+ fichiers? \\(.*\\) attendent le disque ${missing} \\(${absent.driveId}\\)`)
      : new RegExp(`\\d+ files? \\(.*\\) wait for drive ${missing} \\(${absent.driveId}\\)`),
  );
  await expect(page.getByTestId(`waits-${missing}`)).toContainText('lot-client/photos/photo-');
  await shot(page, `sets-client-available-${lang}`);
  await checkA11y(page, `client set availability (${lang})`);

  const dest = join(h.world.root, `restore-set-${lang}`);
  await mkdir(dest);
  h.world.dialogs.folders.push(dest);
  await page.getByRole('button', { name: fr ? 'Choisir le dossier de destination…' : 'Choose the destination folder…' }).click();
  await page.getByRole('button', { name: fr ? 'Restaurer' : 'Restore', exact: true }).click();
  await expect(page.getByTestId('restored')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('set-restored')).toContainText(fr ? `attendent le disque ${missing}` : `wait for drive ${missing}`);
  await expect(page.getByTestId('set-restored')).toContainText(fr ? 'Branchez les disques manquants' : 'Attach the missing drives');
  // What the drives attached hold is restored; what waits for the missing one is not.
  const restored = (await readdir(dest, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dest.length + 1));
  expect(restored.length).toBeGreaterThan(0);
  const waiting = (await page.getByTestId('set-restored').locator('li.path').allTextContents()).map((p) => p.trim());
  expect(waiting.length).toBeGreaterThan(0);
  for (const p of waiting) expect(restored).not.toContain(p);
  await shot(page, `sets-client-restored-${lang}`);
}

test('Client: a set with its third drive missing — members present and missing, what can be restored now, restore of the rest (fr-CA)', async ({ app: page, harness }) => {
  await clientSetJourney(page, harness, 'fr-CA', 3, 2);
});

test('Client: a set with its first drive missing — members present and missing, what can be restored now, restore of the rest (en)', async ({ app: page, harness }) => {
  await clientSetJourney(page, harness, 'en', 1, 3);
});
