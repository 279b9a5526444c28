/**
 * The customer's own key in the app, end to end in both languages: in the Client a key file
 * that others may read is refused with its fix, and a key is created where the customer
 * chooses (0600), its public key shown and remembered after a restart; the Technician seals
 * for that public key (pasted in French, read from its .pub file in English), recording it in
 * the `sealed` event; the Client opens the drive with the key (no unlock code), says its
 * receipts will be customer-attested, and once confirmed they are, as the custody service's
 * copy of the chain verifies.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { callAs, checkA11y, expect, openTab, shot, switchLanguage, test } from './fixtures.js';

const TEXT = {
  'fr-CA': {
    tab: 1,
    addFolders: 'Ajouter des dossiers…',
    driveOk: 'Ce disque convient.',
    customerKey: /Clé publique du client/,
    readPub: 'Lire le fichier .pub du client…',
    seal: 'Sceller le disque',
    sealedFor: 'Scellé aussi pour la clé du client',
    create: 'Créer une clé client…',
    choose: 'Choisir mon fichier de clé…',
    tooOpen: 'D’autres utilisateurs de cet ordinateur peuvent lire ce fichier de clé : il est refusé.',
    refresh: 'Actualiser',
    drive: (id: string) => new RegExp(`Disque ${id}`),
    openWithKey: 'Ouvrir avec ma clé client',
    keyWrong: 'Votre clé client n’ouvre pas ce disque.',
    unlockedKey: 'Disque déverrouillé avec votre clé client.',
    willSign: 'Vos accusés de réception seront signés par votre clé client',
    dest: 'Choisir le dossier de destination…',
    restore: 'Restaurer',
    restored: '3 fichiers restaurés et vérifiés',
    confirm: 'Confirmer la réception',
    attested: 'Accusés attestés par votre clé client.',
  },
  en: {
    tab: 1,
    addFolders: 'Add folders…',
    driveOk: 'This drive is suitable.',
    customerKey: /Customer’s public key/,
    readPub: 'Read the customer’s .pub file…',
    seal: 'Seal the drive',
    sealedFor: 'Also sealed for the customer’s key',
    create: 'Create a customer key…',
    choose: 'Choose my key file…',
    tooOpen: 'Other users of this computer can read this key file: it is refused.',
    refresh: 'Refresh',
    drive: (id: string) => new RegExp(`Drive ${id}`),
    openWithKey: 'Open with my customer key',
    keyWrong: 'Your customer key does not open this drive.',
    unlockedKey: 'Drive unlocked with your customer key.',
    willSign: 'Your receipts will be signed by your customer key',
    dest: 'Choose the destination folder…',
    restore: 'Restore',
    restored: '3 files restored and verified',
    confirm: 'Confirm receipt',
    attested: 'Receipts attested by your customer key.',
  },
} as const;

for (const lang of ['fr-CA', 'en'] as const) {
  test(`creates a customer key and opens a drive sealed for it, receipts customer-attested (${lang})`, async ({ app: page, harness }) => {
    const x = TEXT[lang];
    await switchLanguage(page, lang);
    await openTab(page, x.tab);

    // A key file others may read is refused, with the command that fixes it.
    const open = join(harness.world.root, 'saves', 'ouverte.key');
    harness.world.dialogs.saves.push(open);
    expect((await callAs(harness, 'customer.createKey', {})).ok).toBe(true);
    await chmod(open, 0o644);
    harness.world.dialogs.keyFiles.push(open);
    await page.getByRole('button', { name: x.choose }).click();
    const refusal = page.getByRole('alert').filter({ hasText: x.tooOpen });
    await expect(refusal).toBeVisible();
    await expect(refusal).toContainText(`chmod 600 ${open}`);
    await expect(page.getByTestId('customer-public-key')).toHaveCount(0);

    // A new key, saved where the customer chose, readable by them only; its public key shown.
    const keyFile = join(harness.world.root, 'saves', `cle-${lang}.key`);
    harness.world.dialogs.saves.push(keyFile);
    await page.getByRole('button', { name: x.create }).click();
    await expect(page.getByTestId('customer-public-key')).toHaveText(/^[A-Za-z0-9+/]{43}=$/);
    const publicKey = (await page.getByTestId('customer-public-key').textContent())!;
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(`${keyFile}.pub`, 'utf8'))).toMatchObject({ type: 'scelle-customer-public-key/1', publicKey });
    // Nothing of the secret reaches the page or its storage.
    const secret = (JSON.parse(await readFile(keyFile, 'utf8')) as { secretKey: string }).secretKey;
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain(secret);
    await shot(page, `client-key-created-${lang}`);
    await checkA11y(page, `client (key created, ${lang})`);
    // The app remembers the key file (its path only) for the next run.
    await page.reload();
    await openTab(page, x.tab);
    await expect(page.getByTestId('customer-public-key')).toHaveText(publicKey);

    // The Technician seals for that public key: pasted (fr-CA) or read from the .pub file (en).
    await openTab(page, 0);
    await page.getByRole('button', { name: x.addFolders }).click();
    await page.getByRole('radio', { name: /LIVRAISON/ }).check();
    await expect(page.getByTestId('drive-check')).toContainText(x.driveOk);
    if (lang === 'fr-CA') {
      await page.getByLabel(x.customerKey).fill(` ${publicKey}\n`);
    } else {
      harness.world.dialogs.keyFiles.push(`${keyFile}.pub`);
      await page.getByRole('button', { name: x.readPub }).click();
      await expect(page.getByLabel(x.customerKey)).toHaveValue(publicKey);
    }
    await page.getByRole('button', { name: x.seal }).click();
    await expect(page.getByTestId('seal-done')).toContainText(x.sealedFor, { timeout: 60_000 });
    const sealed = (await harness.world.custody.journal()).events().find((e) => e.type === 'sealed')!;
    expect(sealed.data).toMatchObject({ customerPublicKey: publicKey, customerAttestation: 'customer-key' });
    const drive = { driveId: sealed.driveId };
    await callAs(harness, 'custody.record', { driveId: drive.driveId, type: 'shipped', data: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } });

    // The customer opens the drive with the key alone.
    await openTab(page, x.tab);
    await page.getByRole('button', { name: x.refresh }).click();
    await page.getByRole('button', { name: x.drive(drive.driveId) }).click();
    await expect(page.getByTestId('integrity-ok')).toBeVisible({ timeout: 60_000 });
    // Another customer key does not open it, and the refusal says so (not "this code").
    await chmod(open, 0o600);
    harness.world.dialogs.keyFiles.push(open);
    await page.getByRole('button', { name: x.choose }).click();
    await expect(page.getByTestId('customer-key-chosen')).toContainText(open);
    await page.getByRole('button', { name: x.openWithKey }).click();
    await expect(page.getByRole('alert').filter({ hasText: x.keyWrong })).toBeVisible({ timeout: 60_000 });
    harness.world.dialogs.keyFiles.push(keyFile);
    await page.getByRole('button', { name: x.choose }).click();
    await expect(page.getByTestId('customer-key-chosen')).toContainText(keyFile);
    await page.getByRole('button', { name: x.openWithKey }).click();
    await expect(page.getByTestId('unlocked')).toHaveText(x.unlockedKey, { timeout: 60_000 });
    await expect(page.getByTestId('receipt-signer')).toContainText(x.willSign);
    await shot(page, `client-key-unlocked-${lang}`);
    await checkA11y(page, `client (unlocked with the customer key, ${lang})`);

    await page.getByRole('button', { name: x.dest }).click();
    await page.getByRole('button', { name: x.restore, exact: true }).click();
    await expect(page.getByTestId('restored')).toContainText(x.restored, { timeout: 60_000 });
    await page.getByRole('button', { name: x.confirm }).click();
    await expect(page.getByTestId('receipt-attestation')).toHaveText(x.attested);
    await shot(page, `client-key-confirmed-${lang}`);

    // The service's copy of the chain verifies, with both receipts signed by the customer's key.
    const found = await callAs(harness, 'custody.lookup', { kind: 'drive', value: drive.driveId });
    if (!found.ok) throw new Error(found.error.code);
    const tl = (found.value as { timelines: { chainOk: boolean; events: { type: string; author: { kind: string }; attestation?: string | null }[] }[] }).timelines[0]!;
    expect(tl.chainOk).toBe(true);
    expect(tl.events.filter((e) => e.author.kind === 'customer').map((e) => `${e.type}:${e.attestation}`)).toEqual(['received:customer-key', 'opened:customer-key']);
    const journaled = (await harness.world.custody.journal()).events().filter((e) => e.driveId === drive.driveId && e.author.kind === 'customer');
    expect(journaled.map((e) => e.author.publicKey)).toEqual([publicKey, publicKey]);
  });
}
