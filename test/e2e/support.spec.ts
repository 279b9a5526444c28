/**
 * Soutien workspace, end to end against the REAL custody service (server/): a full journey in
 * the UI (sealed, verified and shipped in Technicien, received and opened in Client), then the drive
 * found by its tracking number typed with spaces and dashes, with its verified timeline (who,
 * where, when, attested by whom; the tracking number linked to the carrier), exported as PDF and
 * CSV; an order with several drives and a drive whose timeline has an anomaly; the custody
 * service going offline; and a member of a sealed set showing the whole set.
 */
import { readFile } from 'node:fs/promises';
import { callAs, checkA11y, expect, openTab, sealSample, shot, switchLanguage, test } from './fixtures.js';
import { buildTestSet, testNext } from '../../shared/custody/testing.js';
import { testCertificate } from '../../server/testing.js';

test('finds a drive by tracking number after a full journey in the UI and exports its verified timeline', async ({ app: page, harness, custody }) => {
  // Technicien: seal, keep the unlock code, verify, ship.
  await page.getByRole('button', { name: 'Ajouter des dossiers…' }).click();
  await expect(page.getByTestId('source-count')).toContainText('Total : 3 fichiers');
  await page.getByRole('radio', { name: /LIVRAISON/ }).check();
  await expect(page.getByTestId('drive-check')).toContainText('Ce disque convient.');
  await page.getByRole('button', { name: 'Sceller le disque' }).click();
  const codeBox = page.getByTestId('unlock-code');
  await expect(codeBox).toHaveText(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/, { timeout: 60_000 });
  const unlockCode = (await codeBox.textContent())!.trim();
  await page.getByRole('button', { name: /J’ai transmis ou consigné le code/ }).click();
  await page.getByRole('button', { name: 'Vérifier le disque' }).click();
  await expect(page.getByTestId('verify-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('verify-recorded')).toContainText('Événement enregistré et synchronisé.');
  await page.getByLabel('Numéro de suivi').fill('1Z 999 AA1 01 2345 6784');
  await expect(page.getByTestId('tracking-status')).toContainText('Numéro valide — UPS');
  await page.getByRole('button', { name: 'Enregistrer l’expédition' }).click();
  await expect(page.getByTestId('ship-message')).toContainText('Événement enregistré et synchronisé.');

  // Client: check, unlock, restore, confirm receipt (received + opened, signed with the drive key).
  await openTab(page, 1);
  await page.getByRole('button', { name: 'Actualiser' }).click();
  await page
    .getByRole('button', { name: /^Disque / })
    .first()
    .click();
  await expect(page.getByTestId('integrity-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('authenticity')).toContainText('station-test-01');
  await page.getByLabel('Code de déverrouillage', { exact: true }).fill(unlockCode);
  await page.getByRole('button', { name: 'Déverrouiller' }).click();
  await expect(page.getByTestId('unlocked')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Choisir le dossier de destination…' }).click();
  await page.getByRole('button', { name: 'Restaurer', exact: true }).click();
  await expect(page.getByTestId('restored')).toContainText('3 fichiers restaurés et vérifiés', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Confirmer la réception' }).click();
  await expect(page.getByTestId('confirmed')).toContainText('Réception confirmée.');

  // Soutien: tracking number typed with spaces and dashes.
  await openTab(page, 2);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Rechercher un disque');
  await page.getByLabel('Valeur recherchée').fill('1z 999-aa1 01-2345 6784');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByTestId('support-count')).toHaveText('1 disque trouvé');
  await expect(page.getByTestId('chain-ok')).toBeVisible();
  // Drawn as a timeline: sealed, verified, shipped, received, opened in that order.
  const timeline = page.getByTestId('timeline');
  await expect(page.getByRole('list', { name: /^Chronologie du disque / })).toHaveCount(1);
  await expect(page.getByTestId('timeline-entry')).toHaveCount(5);
  expect(await page.getByTestId('event-type').allTextContents()).toEqual(['Scellé', 'Vérifié', 'Expédié', 'Reçu', 'Ouvert']);
  // Authors as people read them: the station by its id, the customer as "Client", no raw ids.
  const authors = await page.getByTestId('event-author').allTextContents();
  expect(authors).toEqual(['Poste station-test-01', 'Poste station-test-01', 'Poste station-test-01', 'Client', 'Client']);
  await expect(timeline).not.toContainText('customer:');
  // Attested by whom: the station's certified key, the drive's key alone for the customer; every event has its receipt.
  const attested = await page.getByTestId('event-attested').allTextContents();
  expect(attested.slice(0, 3).every((a) => a.startsWith('la clé certifiée du poste · reçu signé du service le '))).toBe(true);
  expect(attested.slice(3).every((a) => a.startsWith('la clé du disque seulement'))).toBe(true);
  await expect(page.getByTestId('timeline-flagged')).toHaveText('Aucune anomalie ni lacune dans cette chronologie.');
  // The tracking number opens the carrier's page, over https only.
  await timeline.getByRole('button', { name: 'Suivre 1Z999AA10123456784 sur le site de UPS' }).click();
  await expect.poll(() => harness.world.openedUrls).toHaveLength(1);
  expect(harness.world.openedUrls[0]).toMatch(/^https:\/\/[^/]*ups\.com\/.*1Z999AA10123456784/);
  await shot(page, 'support-timeline-fr-CA');
  await checkA11y(page, 'support (timeline, fr-CA)');

  // The service holds the five events, and its own integrity check passes.
  const integrity = (await fetch(`${custody.url}/v1/admin/integrity`, { headers: { authorization: `Bearer ${custody.adminToken}` } }).then((r) => r.json())) as {
    ok: boolean;
    events: number;
  };
  expect(integrity).toMatchObject({ ok: true, events: 5 });

  await page.getByRole('button', { name: 'Exporter en CSV' }).click();
  await expect(page.getByTestId('export-saved')).toContainText('.csv');
  const csv = [...harness.world.written.keys()].find((p) => p.endsWith('.csv'))!;
  const csvText = await readFile(csv, 'utf8');
  for (const type of ['sealed', 'verified', 'shipped', 'received', 'opened']) expect(csvText).toContain(type);
  await page.getByRole('button', { name: 'Exporter en PDF' }).click();
  await expect(page.getByTestId('export-saved')).toContainText('.pdf');
  await switchLanguage(page, 'en');
  await expect(timeline).toContainText('Shipped');
  await expect(page.getByTestId('support-count')).toHaveText('1 drive found');
  expect(await page.getByTestId('event-author').allTextContents()).toEqual([
    'Station station-test-01',
    'Station station-test-01',
    'Station station-test-01',
    'Customer',
    'Customer',
  ]);
  await expect(page.getByTestId('chain-ok')).toContainText('Chain of custody verified.');
  await shot(page, 'support-timeline-en');
  await checkA11y(page, 'support (timeline, en)');
});

test('says what to do when the custody service is offline, and keeps events queued', async ({ app: page, harness, custody }) => {
  const drive = await sealSample(harness);
  await custody.stop();
  await openTab(page, 2);
  await page.getByLabel('Valeur recherchée').fill(drive.driveId);
  await page.getByLabel('Chercher par').selectOption('drive');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toHaveAttribute('data-code', 'E_CUSTODY_OFFLINE');
  await expect(alert).toContainText('Le service de possession est injoignable');
  await expect(alert).toContainText('Que faire : Vérifiez la connexion');
  await shot(page, 'support-offline-fr-CA');
  await checkA11y(page, 'support (offline, fr-CA)');
  await switchLanguage(page, 'en');
  await expect(alert).toContainText('The custody service cannot be reached');
  await expect(alert).toContainText('events stay queued');
  await shot(page, 'support-offline-en');
  const r = await harness.world.handlers.handle({
    channel: 'custody.record',
    senderUrl: new URL(harness.url).origin + '/',
    payload: { driveId: drive.driveId, type: 'shipped', data: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } },
  });
  expect(r).toMatchObject({ ok: true, value: { synced: false } });
  expect((await harness.world.custody.journal()).pending().map((e) => e.type)).toEqual(['shipped']);
});

test('finds the drives of an order, and flags an anomaly on the timeline', async ({ app: page, harness }) => {
  const record = async (payload: Record<string, unknown>) => {
    const r = await callAs(harness, 'custody.record', payload);
    if (!r.ok) throw new Error(`record failed: ${r.error.code}`);
  };
  const first = await sealSample(harness);
  const second = await sealSample(harness);
  await record({ driveId: first.driveId, type: 'shipped', data: { carrier: 'canada-post', trackingNumber: 'EE473124829CA', orderRef: 'CMD-2026-0077' } });
  await record({ driveId: second.driveId, type: 'shipped', data: { carrier: 'ups', trackingNumber: '1Z999AA10123456784', orderRef: 'CMD-2026-0077' } });
  // A drive the customer says they received though it was never shipped: received-before-shipped.
  const odd = await sealSample(harness);
  const unlocked = await callAs(harness, 'engine.unlock', { driveDir: odd.driveDir, code: odd.unlockCode });
  if (!unlocked.ok) throw new Error(`unlock failed: ${unlocked.error.code}`);
  await record({ driveId: odd.driveId, type: 'received', data: { level: 'media', ok: true, problems: 0 }, sessionId: (unlocked.value as { sessionId: string }).sessionId });

  await openTab(page, 2);
  await page.getByLabel('Chercher par').selectOption('order');
  await page.getByLabel('Valeur recherchée').fill('CMD-2026-0077');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByTestId('support-count')).toHaveText('2 disques trouvés');
  const summary = page.getByTestId('support-summary');
  await expect(summary.locator('tbody th')).toHaveCount(2);
  expect((await summary.locator('tbody th').allTextContents()).sort()).toEqual([first.driveId, second.driveId].sort());
  await expect(summary.locator('tbody tr')).toContainText(['Expédié', 'Expédié']);
  await expect(page.getByRole('list', { name: /^Chronologie du disque / })).toHaveCount(2);
  await shot(page, 'support-order-fr-CA');
  await checkA11y(page, 'support (order with two drives, fr-CA)');

  await page.getByLabel('Chercher par').selectOption('drive');
  await page.getByLabel('Valeur recherchée').fill(odd.driveId);
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByTestId('support-count')).toHaveText('1 disque trouvé');
  await expect(page.getByTestId('chain-bad')).toBeVisible();
  await expect(page.getByTestId('timeline-flagged')).toHaveText('1 événement demande votre attention (signalé ci-dessous).');
  const entries = page.getByTestId('timeline-entry');
  await expect(entries).toHaveCount(2);
  // The anomaly sits on the customer's `received`, not on the station's `sealed`.
  await expect(entries.nth(0).getByTestId('timeline-anomaly')).toHaveCount(0);
  await expect(entries.nth(1).getByTestId('event-type')).toHaveText('Reçu');
  await expect(entries.nth(1).getByTestId('timeline-anomaly')).toHaveText('⚠ Anomalie : réception par le client inscrite avant toute expédition.');
  await shot(page, 'support-anomaly-fr-CA');
  await checkA11y(page, 'support (anomaly, fr-CA)');
  await switchLanguage(page, 'en');
  await expect(page.getByTestId('timeline-flagged')).toHaveText('1 event needs your attention (flagged below).');
  await expect(entries.nth(1).getByTestId('timeline-anomaly')).toContainText('Anomaly');
  await shot(page, 'support-anomaly-en');
  await checkA11y(page, 'support (anomaly, en)');
});

test('shows the whole sealed set of a member found by its tracking number, and looks a member up', async ({ app: page, custody }) => {
  // A set of three members sealed by an enrolled station: members 1 and 2 shipped separately, 3 only sealed, 2 reported lost.
  const set = buildTestSet('SET-E2E', ['MEMBRE-1', 'MEMBRE-2', 'MEMBRE-3']);
  const admin = (method: string, path: string, body: unknown) =>
    fetch(custody.url + path, { method, headers: { authorization: `Bearer ${custody.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      (r) => r.json() as Promise<Record<string, unknown>>,
    );
  await admin('POST', '/v1/stations', { publicKey: set.station.author.publicKey, certificate: testCertificate(set.station), kind: 'station' });
  const stationToken = String((await admin('POST', '/v1/tokens', { role: 'station', subject: set.station.author.id }))['token']);
  const lost = testNext(set.station, 'MEMBRE-2', set.chains[1]![2]!, 'incident', { kind: 'lost' }, new Date('2025-03-04T10:00:00Z'));
  const pushed = await fetch(`${custody.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stationToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [...set.chains[0]!, ...set.chains[1]!, lost, set.chains[2]![0]] }),
  }).then((r) => r.json() as Promise<{ results: { status: string }[] }>);
  expect(pushed.results.every((r) => r.status === 'stored')).toBe(true);

  await openTab(page, 2);
  await page.getByLabel('Valeur recherchée').fill('1Z 999 AA1 01 2345 6784');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByTestId('support-count')).toHaveText('1 disque trouvé');
  const members = page.getByTestId('set-members');
  await expect(members).toContainText('Ensemble scellé SET-E2E : ce disque est le membre 1 sur 3.');
  const rows = members.locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('1Z999AA10123456784');
  await expect(rows.nth(1)).toContainText('(perdu)');
  await expect(rows.nth(1)).toContainText('1Z999AA10123456795');
  await expect(rows.nth(2)).toContainText('Scellé');
  await shot(page, 'support-set-fr-CA');
  await checkA11y(page, 'support (sealed set, fr-CA)');
  await switchLanguage(page, 'en');
  await expect(members).toContainText('Sealed set SET-E2E: this drive is member 1 of 3.');
  await expect(rows.nth(1)).toContainText('(lost)');
  await checkA11y(page, 'support (sealed set, en)');
  // A member's drive id looks that member up.
  await members.getByRole('button', { name: 'MEMBRE-3' }).click();
  await expect(page.getByTestId('support-count')).toHaveText('1 drive found');
  await expect(page.getByRole('heading', { name: 'Drive MEMBRE-3' })).toBeVisible();
  await expect(page.getByTestId('set-members')).toContainText('this drive is member 3 of 3');
});
