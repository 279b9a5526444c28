/**
 * The customer's own key in the app, through the real IPC handlers, the real engine and the
 * real custody service: the Client creates a key (0600, never overwritten), the Technician
 * seals for its public part, the Client opens the drive with the key and its receipts are
 * customer-attested (checked by the service lookup's own chain verification); a key file
 * others may read is refused; an unlock-code drive keeps data-key receipts; a customer-key
 * drive opened with the code alone records none.
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ROOT_PUBLIC, startE2eCustody, type E2eCustody } from '../../test/e2e/custody-service.js';
import { createHarnessWorld, type HarnessWorld } from '../../test/e2e/harness-deps.js';
import { handlerCalls } from '../../test/support/handler-calls.js';

const ORIGIN = 'http://127.0.0.1:5998';
let world: HarnessWorld;
let custody: E2eCustody;
const { call, value } = handlerCalls(() => world, ORIGIN);

type Timeline = { chainProblem: string | null; events: { type: string; author: { kind: string }; attestation?: string | null; data: Record<string, unknown> }[]; chainOk: boolean };
const lookup = async (driveId: string) => (await value<{ timelines: Timeline[] }>('custody.lookup', { kind: 'drive', value: driveId })).timelines[0]!;

const seal = (jobId: string, customerPublicKey?: string) =>
  value<{ driveId: string; driveDir: string; unlockCode: string }>('engine.seal', {
    jobId,
    sources: [world.sourcesDir],
    driveId: '/dev/sdx1',
    recipients: { unlockCode: true, escrow: false, customerKeys: [], ...(customerPublicKey ? { customerPublicKey } : {}) },
  });

beforeAll(async () => {
  custody = await startE2eCustody();
  world = await createHarnessWorld({ origin: ORIGIN, custodyUrl: custody.url, pinnedRoots: [E2E_ROOT_PUBLIC] });
  const file = await custody.issueEnrolment(world.stationKeyFile, world.root);
  world.handlers.grants.grant(file);
  expect(await call('station.enrol', { bundlePath: file })).toMatchObject({ ok: true });
  await value('drives.list');
  await value('dialog.chooseSources', { kind: 'folders' });
});
afterAll(async () => {
  await world.custody.close();
  await custody.close();
});

describe('customer keys in the app', () => {
  let keyFile = '';
  let publicKey = '';

  it('creates a customer key file (0600) and its public part where the customer chose, never overwriting one', async () => {
    const chosen = join(world.root, 'saves', 'ma-cle.key');
    world.dialogs.saves.push(chosen);
    const made = await value<{ keyFile: string; publicKey: string; publicKeyFile: string }>('customer.createKey');
    expect(made).toEqual({ keyFile: chosen, publicKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/), publicKeyFile: `${chosen}.pub` });
    keyFile = made.keyFile;
    publicKey = made.publicKey;
    if (process.platform !== 'win32') expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const pub = JSON.parse(await readFile(made.publicKeyFile, 'utf8')) as { type: string; publicKey: string };
    expect(pub).toMatchObject({ type: 'scelle-customer-public-key/1', publicKey });
    // the answer carries no secret: the key file's secret appears nowhere in it
    const secret = (JSON.parse(await readFile(keyFile, 'utf8')) as { secretKey: string }).secretKey;
    expect(JSON.stringify(made)).not.toContain(secret);
    world.dialogs.saves.push(chosen);
    expect(await call('customer.createKey')).toMatchObject({ ok: false, error: { code: 'E_KEY_FILE' } });
    world.dialogs.saves.push(null);
    expect(await value('customer.createKey')).toEqual({ keyFile: null, publicKey: null, publicKeyFile: null });
  });

  it('chooses an existing key file and exports its public part; the technician reads it back', async () => {
    world.dialogs.keyFiles.push(keyFile);
    expect(await value('customer.chooseKey')).toEqual({ keyFile, publicKey });
    const exported = join(world.root, 'saves', 'pour-le-fournisseur.pub');
    world.dialogs.saves.push(exported);
    expect(await value('customer.exportPublicKey', { keyFile })).toEqual({ path: exported });
    world.dialogs.keyFiles.push(exported);
    expect(await value('customer.readPublicKey')).toEqual({ publicKey });
    // the secret key file is not a public key file: a technician never loads it
    world.dialogs.keyFiles.push(keyFile);
    expect(await call('customer.readPublicKey')).toMatchObject({ ok: false, error: { code: 'E_KEY_FILE' } });
    // a key file path the app did not hand out is refused
    expect(await call('customer.exportPublicKey', { keyFile: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
    // a key file handed out is good for key requests only: it cannot be sealed or restored into
    expect(await call('sources.count', { jobId: 'count-key-file', paths: [keyFile] })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
  });

  it('remembers the key file last chosen (its path only) until forgotten, and says when it is gone', async () => {
    expect(await value('settings.get')).toMatchObject({ customerKeyFile: keyFile });
    expect(await value('customer.currentKey')).toEqual({ keyFile, publicKey });
    const settingsText = await readFile(join(world.root, 'settings.json'), 'utf8');
    const secret = (JSON.parse(await readFile(keyFile, 'utf8')) as { secretKey: string }).secretKey;
    expect(settingsText).not.toContain(secret);
    expect(await value('customer.forgetKey')).toEqual({ forgotten: true });
    expect(await value('customer.currentKey')).toEqual({ keyFile: null, publicKey: null });
    // a remembered file that has gone away is reported as missing
    await world.settings.set({ customerKeyFile: join(world.root, 'saves', 'partie.key') });
    expect(await call('customer.currentKey')).toMatchObject({ ok: false, error: { code: 'E_KEY_FILE', details: { reason: 'missing' } } });
    world.dialogs.keyFiles.push(keyFile);
    await value('customer.chooseKey');
    expect(await value('customer.currentKey')).toEqual({ keyFile, publicKey });
  });

  it('refuses a customer key file that others may read, saying how to fix it', async () => {
    if (process.platform === 'win32') return;
    const open = join(world.root, 'saves', 'ouverte.key');
    world.dialogs.saves.push(open);
    await value('customer.createKey');
    await chmod(open, 0o644);
    world.dialogs.keyFiles.push(open);
    expect(await call('customer.chooseKey')).toMatchObject({ ok: false, error: { code: 'E_KEY_FILE', details: { reason: 'too-open', fix: `chmod 600 ${open}` } } });
    // nor can it open a drive, even when it was handed out before its mode changed
    await chmod(open, 0o600);
    world.dialogs.keyFiles.push(open);
    await value('customer.chooseKey');
    await chmod(open, 0o640);
    const r = await seal('seal-open-key');
    expect(await call('engine.unlock', { driveDir: r.driveDir, keyFile: open })).toMatchObject({ ok: false, error: { code: 'E_KEY_FILE', details: { reason: 'too-open' } } });
  });

  it('refuses a customer public key that is not an Ed25519 point', async () => {
    // 32 bytes of 0xff: canonical base64, not a point on the curve
    const bad = Buffer.alloc(32, 0xff).toString('base64');
    expect(
      await call('engine.seal', {
        jobId: 'seal-bad-key',
        sources: [world.sourcesDir],
        driveId: '/dev/sdx1',
        recipients: { unlockCode: true, escrow: false, customerKeys: [], customerPublicKey: bad },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'E_KEY_INVALID' },
    });
  });

  it('seals for the customer key, opens the drive with it and signs customer-attested receipts', async () => {
    const r = await seal('seal-customer', publicKey);
    expect(r).toMatchObject({ customerAttestation: 'customer-key' });
    const info = await value<{ keyslots: { type: string; label?: string }[] }>('engine.inspect', { driveDir: r.driveDir });
    expect(info.keyslots).toContainEqual({ type: 'x25519', label: 'customer-key' });
    await value('custody.record', { driveId: r.driveId, type: 'shipped', data: { carrier: 'ups', trackingNumber: '1Z999AA10123456784' } });
    const unlocked = await value<{ sessionId: string; driveId: string; openedWith: string; receipts: string }>('engine.unlock', { driveDir: r.driveDir, keyFile });
    expect(unlocked).toMatchObject({ driveId: r.driveId, openedWith: 'customer-key', receipts: 'customer-key' });
    const { sessionId } = unlocked;
    const { path: dest } = await value<{ path: string }>('dialog.chooseFolder', { purpose: 'restore' });
    // a folder handed out for a restore is no key file
    expect(await call('engine.unlock', { driveDir: r.driveDir, keyFile: join(dest, 'x.key') })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
    const restored = await value<{ files: number }>('engine.open', { jobId: 'open-customer', sessionId, dest });
    expect(restored.files).toBe(3);
    expect(await value('custody.record', { driveId: r.driveId, type: 'received', sessionId, data: { level: 'media', ok: true, problems: 0 } })).toMatchObject({
      synced: true,
      attestation: 'customer-key',
    });
    expect(await value('custody.record', { driveId: r.driveId, type: 'opened', sessionId, data: { ok: true, filesRestored: 3, bytesRestored: 1, partial: false } })).toMatchObject({
      attestation: 'customer-key',
    });
    await value('engine.lock', { sessionId });
    const tl = await lookup(r.driveId);
    expect(tl).toMatchObject({ chainOk: true, chainProblem: null });
    const sealed = tl.events.find((e) => e.type === 'sealed')!;
    expect(sealed.data).toMatchObject({ customerPublicKey: publicKey, customerAttestation: 'customer-key' });
    const customerEvents = tl.events.filter((e) => e.author.kind === 'customer');
    expect(customerEvents.map((e) => [e.type, e.attestation])).toEqual([
      ['received', 'customer-key'],
      ['opened', 'customer-key'],
    ]);
    // signed by the customer's own key: the one the sealed event names, not the data-key key
    const journaled = (await world.custody.journal()).events().filter((e) => e.driveId === r.driveId && e.author.kind === 'customer');
    expect(journaled.map((e) => e.author.publicKey)).toEqual([publicKey, publicKey]);
  });

  it('on a customer-key drive opened with the unlock code alone, records no receipt (it could not be the customer’s)', async () => {
    const r = await seal('seal-customer-2', publicKey);
    const unlocked = await value<{ sessionId: string; receipts: string; openedWith: string }>('engine.unlock', { driveDir: r.driveDir, code: r.unlockCode });
    expect(unlocked).toMatchObject({ openedWith: 'unlock-code', receipts: 'needs-customer-key' });
    expect(await call('custody.record', { driveId: r.driveId, type: 'received', sessionId: unlocked.sessionId, data: { level: 'media', ok: true, problems: 0 } })).toMatchObject({
      ok: false,
      error: { code: 'E_KEY_CUSTOMER_NEEDED' },
    });
    await value('engine.lock', { sessionId: unlocked.sessionId });
    // the code with the key file: the code opens, the key signs
    const both = await value<{ sessionId: string; receipts: string; openedWith: string }>('engine.unlock', { driveDir: r.driveDir, code: r.unlockCode, keyFile });
    expect(both).toMatchObject({ openedWith: 'unlock-code', receipts: 'customer-key' });
    expect(await value('custody.record', { driveId: r.driveId, type: 'received', sessionId: both.sessionId, data: { level: 'media', ok: true, problems: 0 } })).toMatchObject({
      attestation: 'customer-key',
    });
    await value('engine.lock', { sessionId: both.sessionId });
  });

  it('erases a customer-key drive opened with the code alone without any erase record', async () => {
    const r = await seal('seal-customer-3', publicKey);
    const unlocked = await value<{ sessionId: string }>('engine.unlock', { driveDir: r.driveDir, code: r.unlockCode });
    expect(await value('drives.eraseSealed', { driveDir: r.driveDir, sessionId: unlocked.sessionId })).toMatchObject({ erased: true, eventId: null, synced: false });
    const journaled = (await world.custody.journal()).events().filter((e) => e.driveId === r.driveId);
    expect(journaled.map((e) => e.type)).toEqual(['sealed']);
  });

  it('on an unlock-code drive keeps the data-key signature and says so, even with a key file chosen', async () => {
    const r = await seal('seal-code-only');
    expect(r).toMatchObject({ customerAttestation: 'data-key' });
    expect(await call('engine.unlock', { driveDir: r.driveDir, keyFile })).toMatchObject({ ok: false, error: { code: 'E_KEY_WRONG' } });
    const unlocked = await value<{ sessionId: string; receipts: string }>('engine.unlock', { driveDir: r.driveDir, code: r.unlockCode, keyFile });
    expect(unlocked.receipts).toBe('data-key');
    // a key file path the app did not hand out is refused before anything is read
    expect(await call('engine.unlock', { driveDir: r.driveDir, keyFile: '/etc/shadow' })).toMatchObject({ ok: false, error: { code: 'E_IPC_INVALID' } });
    expect(await value('custody.record', { driveId: r.driveId, type: 'received', sessionId: unlocked.sessionId, data: { level: 'media', ok: true, problems: 0 } })).toMatchObject({
      attestation: 'data-key',
    });
    await value('engine.lock', { sessionId: unlocked.sessionId });
    const tl = await lookup(r.driveId);
    expect(tl.events.find((e) => e.type === 'sealed')!.data).toMatchObject({ customerAttestation: 'data-key' });
    expect(tl.events.filter((e) => e.author.kind === 'customer').map((e) => e.attestation)).toEqual(['data-key']);
  });
});
