/**
 * Settings and the whole shell: French by default, English at any time (and remembered),
 * keyboard navigation between workspaces, custody address validation, and axe checks of
 * every empty screen in both languages.
 */
import { checkA11y, expect, openTab, shot, switchLanguage, test } from './fixtures.js';

const SCREENS = [
  { index: 0, name: 'technician', fr: 'Préparer un disque', en: 'Prepare a drive' },
  { index: 1, name: 'client', fr: 'Recevoir un disque', en: 'Receive a drive' },
  { index: 2, name: 'support', fr: 'Rechercher un disque', en: 'Find a drive' },
  { index: 3, name: 'settings', fr: 'Paramètres', en: 'Settings' },
];

test('every screen in both languages passes axe and is screenshotted', async ({ app: page }) => {
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr-CA');
  for (const lang of ['fr-CA', 'en'] as const) {
    await switchLanguage(page, lang);
    for (const s of SCREENS) {
      await openTab(page, s.index);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(lang === 'fr-CA' ? s.fr : s.en);
      await shot(page, `${s.name}-${lang}`);
      await checkA11y(page, `${s.name} (${lang})`);
    }
  }
});

test('moves between workspaces with the keyboard', async ({ app: page }) => {
  const first = page.getByRole('tab').first();
  await first.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Client' })).toBeFocused();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recevoir un disque');
  await page.keyboard.press('End');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Paramètres');
  await page.keyboard.press('Home');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Préparer un disque');
});

test('remembers the language and validates the custody address', async ({ app: page, harness }) => {
  await openTab(page, 3);
  await page.getByRole('combobox', { name: 'Langue de l’interface' }).selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  expect((await harness.world.settings.get()).language).toBe('en');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await openTab(page, 3);
  await page.getByRole('textbox', { name: 'Custody service address' }).fill('http://custody.example.ca');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toContainText('This action is not possible right now');
  await page.getByRole('textbox', { name: 'Custody service address' }).fill('https://custody.example.ca');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  expect((await harness.world.settings.get()).custodyUrl).toBe('https://custody.example.ca');
  await shot(page, 'settings-saved-en');
});

test.describe('station enrolment', () => {
  test.use({ worldOptions: { enrol: false } });

  test('imports a provider-issued enrolment file, and explains one that does not certify this station', async ({ app: page, harness, custody }) => {
    await openTab(page, 3);
    await expect(page.getByTestId('station-status')).toContainText('Non inscrit');
    const publicKey = (await page.getByTestId('station-public-key').textContent())!.trim();
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    await shot(page, 'settings-not-enrolled-fr-CA');

    // A file certified by a root this build does not pin.
    const { testSecretKey } = await import('../../shared/custody/testing.js');
    harness.world.dialogs.sources.push([
      await custody.issueEnrolment(harness.world.stationKeyFile, harness.world.root, { rootSecret: testSecretKey('another root'), enrolWithService: false }),
    ]);
    await page.getByRole('button', { name: 'Importer le fichier d’inscription…' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Ce fichier d’inscription ne certifie pas ce poste : certificat émis par une autorité que cette application ne reconnaît pas.');
    await checkA11y(page, 'settings (enrolment refused, fr-CA)');
    await switchLanguage(page, 'en');
    await expect(alert).toContainText('This enrolment file does not certify this station: certificate issued by an authority this app does not recognize.');
    await shot(page, 'settings-enrol-refused-en');

    // The provider's real file: certificate for this key, service address, pinned keys, tokens.
    harness.world.dialogs.sources.push([await custody.issueEnrolment(harness.world.stationKeyFile, harness.world.root)]);
    await page.getByRole('button', { name: 'Import the enrolment file…' }).click();
    await expect(page.getByTestId('station-enrolled')).toContainText(`Station station-test-01 enrolled; custody service: ${custody.url}.`);
    await expect(page.getByTestId('station-status')).toContainText('Enrolled with the provider');
    await expect(page.getByRole('textbox', { name: 'Custody service address' })).toHaveValue(custody.url);
    await shot(page, 'settings-enrolled-en');
    await checkA11y(page, 'settings (enrolled, en)');
    // The tokens are stored sealed (safeStorage in the app), never in clear, never shown to the renderer.
    const settingsText = await (await import('node:fs/promises')).readFile(`${harness.world.root}/settings.json`, 'utf8');
    expect(settingsText).not.toContain('sct_');
    expect((await harness.world.settings.secrets()).stationToken).toMatch(/^sct_/);
    expect(JSON.stringify(await harness.world.settings.get())).not.toContain('sct_');
  });
});
