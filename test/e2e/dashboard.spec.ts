/**
 * The technicians' dashboard, end to end against the REAL custody service: four drives sealed
 * by this station in four states (sealed, verified, shipped, incident), shown in both
 * languages; a shipment recorded from the dashboard for the sealed drive; a drive verified again;
 * search by tracking number and order; and the outbox count and sync button when the service goes offline.
 */
import { callAs, checkA11y, expect, sealSample, shot, switchLanguage, test } from './fixtures.js';
import type { Harness } from './harness-server.js';

async function record(h: Harness, driveId: string, type: string, data: Record<string, unknown>): Promise<void> {
  const r = await callAs(h, 'custody.record', { driveId, type, data });
  if (!r.ok) throw new Error(`record ${type} failed: ${r.error.code}`);
}

test('lists the station’s drives in their states, records a shipment from the dashboard, searches, and syncs', async ({ app: page, harness, custody }) => {
  const sealedOnly = await sealSample(harness);
  const verified = await sealSample(harness);
  await record(harness, verified.driveId, 'verified', { level: 'full', ok: true, problems: 0 });
  const shipped = await sealSample(harness);
  await record(harness, shipped.driveId, 'shipped', { carrier: 'canada-post', trackingNumber: 'EE473124829CA', orderRef: 'CMD-2026-0042' });
  const lost = await sealSample(harness);
  await record(harness, lost.driveId, 'shipped', { carrier: 'canada-post', trackingNumber: 'RN123456785CA', orderRef: 'CMD-2026-0042' });
  await record(harness, lost.driveId, 'incident', { kind: 'lost' });

  await page.getByRole('button', { name: 'Disques du poste' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Disques de ce poste');
  const table = page.getByTestId('dash-table');
  await expect(page.getByTestId('dash-count')).toHaveText('4 disques');
  const state = (driveId: string) => page.getByTestId(`dash-row-${driveId}`).getByTestId('dash-state');
  await expect(state(sealedOnly.driveId)).toHaveText('Scellé');
  await expect(state(verified.driveId)).toHaveText('Vérifié');
  await expect(state(shipped.driveId)).toHaveText('Expédié');
  await expect(state(lost.driveId)).toHaveText('Incident');
  await expect(page.getByTestId(`dash-row-${lost.driveId}`)).toContainText('(perdu)');
  // Newest seal first.
  const order = await table.locator('tbody th').allTextContents();
  expect(order).toEqual([lost.driveId, shipped.driveId, verified.driveId, sealedOnly.driveId]);
  // The actions that fit: a shipped drive's slip can be re-printed, a sealed one's shipment recorded.
  const rowOf = (driveId: string) => page.getByTestId(`dash-row-${driveId}`);
  await expect(rowOf(shipped.driveId).getByRole('button')).toHaveText(['Corriger l’expédition', 'Réimprimer le bordereau', 'Signaler un incident']);
  await expect(rowOf(sealedOnly.driveId).getByRole('button')).toHaveText(['Vérifier de nouveau', 'Enregistrer l’expédition', 'Signaler un incident']);
  await expect(page.getByTestId('pending-count')).toHaveText('0 événement en attente de synchronisation');
  await shot(page, 'dashboard-fr-CA');
  await checkA11y(page, 'dashboard (fr-CA)');

  await switchLanguage(page, 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Drives of this station');
  await expect(page.getByTestId('dash-count')).toHaveText('4 drives');
  await expect(state(sealedOnly.driveId)).toHaveText('Sealed');
  await expect(state(lost.driveId)).toHaveText('Incident');
  await expect(page.getByTestId('pending-count')).toHaveText('0 events waiting to sync');
  await shot(page, 'dashboard-en');
  await checkA11y(page, 'dashboard (en)');
  await switchLanguage(page, 'fr-CA');

  // Record the shipment of the sealed drive from the dashboard.
  await page.getByRole('button', { name: `Enregistrer l’expédition — disque ${sealedOnly.driveId}` }).click();
  await expect(page.getByRole('heading', { name: `Expédition du disque ${sealedOnly.driveId}` })).toBeVisible();
  await page.getByRole('textbox', { name: 'Numéro de suivi' }).fill('1Z 999 AA1 01 2345 6784');
  await expect(page.getByTestId('dash-tracking-status')).toContainText('Numéro valide — UPS');
  await shot(page, 'dashboard-shipment-form-fr-CA');
  await page.getByRole('button', { name: 'Enregistrer l’expédition', exact: true }).click();
  await expect(page.getByTestId('dash-message')).toHaveText('Événement enregistré et synchronisé.');
  await expect(state(sealedOnly.driveId)).toHaveText('Expédié');
  await expect(rowOf(sealedOnly.driveId)).toContainText('1Z999AA10123456784');
  const journal = await harness.world.custody.journal();
  expect(journal.eventsForDrive(sealedOnly.driveId).map((e) => e.type)).toEqual(['sealed', 'shipped']);
  expect(journal.pending()).toEqual([]);

  // Verify again: the drive is plugged in here, so the engine checks it and a `verified` event is recorded.
  await page.getByRole('button', { name: `Vérifier de nouveau — disque ${verified.driveId}` }).click();
  await expect(page.getByTestId('dash-message')).toHaveText(/^Vérification réussie.* Événement enregistré et synchronisé\.$/, { timeout: 60_000 });
  expect(journal.eventsForDrive(verified.driveId).map((e) => e.type)).toEqual(['sealed', 'verified', 'verified']);

  // Search as scanned: a tracking number with spaces in lower case, then an order with two drives.
  const search = page.getByRole('searchbox', { name: 'Rechercher (numéro de disque, commande ou numéro de suivi)' });
  await search.fill('ee 473 124 829 ca');
  await expect(page.getByTestId('dash-count')).toHaveText('1 disque correspond (sur 4)');
  await expect(table.locator('tbody th')).toHaveText([shipped.driveId]);
  await search.fill('CMD-2026-0042');
  await expect(page.getByTestId('dash-count')).toHaveText('2 disques correspondent (sur 4)');
  await expect(table.locator('tbody th')).toHaveText([lost.driveId, shipped.driveId]);
  await search.fill('');
  await expect(page.getByTestId('dash-count')).toHaveText('4 disques');

  // Offline: an event recorded now waits in the outbox; the count says so and sync says why it cannot.
  await custody.stop();
  await record(harness, verified.driveId, 'shipped', { carrier: 'ups', trackingNumber: '1Z999AA10123456784' });
  await page.getByRole('button', { name: 'Synchroniser maintenant' }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'E_CUSTODY_OFFLINE');
  await expect(page.getByTestId('pending-count')).toHaveText('1 événement en attente de synchronisation');
  await expect(page.getByTestId('dash-local')).toBeVisible();
  await expect(rowOf(verified.driveId)).toContainText('1 événement non synchronisé');
  await expect(state(verified.driveId)).toHaveText('Expédié');
  await shot(page, 'dashboard-offline-fr-CA');
  expect(journal.pending().map((e) => e.type)).toEqual(['shipped']);
});
