import { describe, expect, it } from 'vitest';
import type { DriveInfoDto } from '../../../shared/ipc/index.js';
import { UiError } from '../../bridge.js';
import { createClientFlow, type ClientFlowDeps } from './client-flow.js';

const PUB = 'WfeN70udr+lrtcjqiI33HhvHVrSZpEGjGRcYna5iT0c=';
const infoOf = (driveId: string) => ({ driveId }) as unknown as DriveInfoDto;

/** A fake main side that logs every call; `fail` makes the named call throw. */
function fakeDeps(
  opts: {
    fail?: keyof ClientFlowDeps;
    synced?: boolean;
    verification?: 'pass' | 'fail';
    receipts?: 'customer-key' | 'data-key' | 'needs-customer-key';
    cancelKey?: boolean;
    noEraseRecord?: boolean;
  } = {},
) {
  const calls: Array<[string, unknown]> = [];
  const answer = <T>(name: keyof ClientFlowDeps, req: unknown, value: T): Promise<T> => {
    calls.push([name, req]);
    return opts.fail === name ? Promise.reject(new UiError('E_KEY_WRONG', 'refused')) : Promise.resolve(value);
  };
  let sessions = 0;
  const deps: ClientFlowDeps = {
    inspect: (req) => answer('inspect', req, infoOf(`D-${req.driveDir}`)),
    unlock: (req) =>
      answer('unlock', req, {
        sessionId: `s${++sessions}`,
        driveId: 'D',
        openedWith: req.code !== undefined ? ('unlock-code' as const) : ('customer-key' as const),
        receipts: opts.receipts ?? 'data-key',
      }),
    createKey: (req) =>
      answer(
        'createKey',
        req,
        opts.cancelKey
          ? { keyFile: null, publicKey: null, publicKeyFile: null }
          : { keyFile: '/home/c/scelle-client.key', publicKey: PUB, publicKeyFile: '/home/c/scelle-client.key.pub' },
      ),
    chooseKey: (req) => answer('chooseKey', req, opts.cancelKey ? { keyFile: null, publicKey: null } : { keyFile: '/home/c/ma.key', publicKey: PUB }),
    currentKey: (req) => answer('currentKey', req, opts.cancelKey ? { keyFile: null, publicKey: null } : { keyFile: '/home/c/ma.key', publicKey: PUB }),
    forgetKey: (req) => answer('forgetKey', req, { forgotten: true }),
    lock: (req) => answer('lock', req, {}),
    record: (req) =>
      answer('record', req, {
        eventId: `e-${req.type}`,
        synced: opts.synced ?? true,
        attestation: opts.receipts === 'customer-key' ? ('customer-key' as const) : ('data-key' as const),
      }),
    eraseSealed: (req) =>
      answer('eraseSealed', req, {
        erased: true as const,
        verification: opts.verification ?? 'pass',
        eventId: opts.noEraseRecord ? null : 'e-erased',
        synced: !opts.noEraseRecord,
      }),
  };
  return { deps, calls };
}

describe('the Client workflow', () => {
  it('inspects the picked drive, unlocks it, and locks the session when another drive is picked', async () => {
    const { deps, calls } = fakeDeps();
    const flow = createClientFlow(deps);
    expect(await flow.getState().pick('A')).toEqual(infoOf('D-A'));
    expect(await flow.getState().unlock('CODE')).toBe('s1');
    expect(flow.getState().sessionId).toBe('s1');
    await flow.getState().pick('B');
    expect(calls).toContainEqual(['lock', { sessionId: 's1' }]);
    expect(flow.getState()).toMatchObject({ driveDir: 'B', sessionId: null, info: infoOf('D-B') });
  });

  it('never keeps the unlock code in its state', async () => {
    const { deps } = fakeDeps();
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('SECRET-CODE');
    expect(JSON.stringify(flow.getState())).not.toContain('SECRET-CODE');
  });

  it('reports a refused unlock with its code, without a session, and can unlock again', async () => {
    const { deps } = fakeDeps({ fail: 'unlock' });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    expect(await flow.getState().unlock('WRONG')).toBeNull();
    expect(flow.getState()).toMatchObject({ sessionId: null, unlocking: false, error: { code: 'E_KEY_WRONG' } });
  });

  it('does not unlock before a drive is picked', async () => {
    const { deps, calls } = fakeDeps();
    expect(await createClientFlow(deps).getState().unlock('CODE')).toBeNull();
    expect(calls).toEqual([]);
  });

  it('confirms receipt as received then opened, signed with the session, once', async () => {
    const { deps, calls } = fakeDeps({ synced: false });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    await flow.getState().confirmReceipt({ ok: true, problems: 0 }, { files: 3, bytes: 42, partial: true });
    await flow.getState().confirmReceipt({ ok: true, problems: 0 }, { files: 3, bytes: 42, partial: true });
    const records = calls.filter(([n]) => n === 'record').map(([, r]) => r);
    expect(records).toEqual([
      { driveId: 'D-A', type: 'received', sessionId: 's1', data: { level: 'media', ok: true, problems: 0 } },
      { driveId: 'D-A', type: 'opened', sessionId: 's1', data: { ok: true, filesRestored: 3, bytesRestored: 42, partial: true } },
    ]);
    expect(flow.getState().confirmed).toEqual({ synced: false, attestation: 'data-key' });
  });

  it('does not confirm receipt without the unlocked drive', async () => {
    const { deps, calls } = fakeDeps();
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().confirmReceipt({ ok: true, problems: 0 }, { files: 1, bytes: 1, partial: false });
    expect(calls.some(([n]) => n === 'record')).toBe(false);
    expect(flow.getState().confirmed).toBeNull();
  });

  it('erases while unlocked (the customer signs), then locks and forgets the session', async () => {
    const { deps, calls } = fakeDeps({ verification: 'fail' });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    await flow.getState().erase();
    const names = calls.map(([n]) => n);
    expect(names.indexOf('eraseSealed')).toBeLessThan(names.lastIndexOf('lock'));
    expect(calls).toContainEqual(['eraseSealed', { driveDir: 'A', sessionId: 's1' }]);
    expect(flow.getState()).toMatchObject({ sessionId: null, erased: { checkFailed: true, recorded: true } });
  });

  it('keeps the session and says why when the erase fails', async () => {
    const { deps } = fakeDeps({ fail: 'eraseSealed' });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    await flow.getState().erase();
    expect(flow.getState()).toMatchObject({ sessionId: 's1', erased: null, error: { code: 'E_KEY_WRONG' } });
  });

  it('locks the open session when the workspace closes', async () => {
    const { deps, calls } = fakeDeps();
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    flow.getState().forget();
    expect(calls).toContainEqual(['lock', { sessionId: 's1' }]);
    expect(flow.getState().sessionId).toBeNull();
  });

  it('creates or chooses a customer key, keeping only its path and public key, and a cancelled dialog changes nothing', async () => {
    const { deps, calls } = fakeDeps();
    const flow = createClientFlow(deps);
    expect(await flow.getState().createKey()).toEqual({ keyFile: '/home/c/scelle-client.key', publicKey: PUB, publicKeyFile: '/home/c/scelle-client.key.pub' });
    expect(await flow.getState().chooseKey()).toEqual({ keyFile: '/home/c/ma.key', publicKey: PUB, publicKeyFile: null });
    expect(flow.getState().key).toEqual({ keyFile: '/home/c/ma.key', publicKey: PUB, publicKeyFile: null });
    expect(calls.map(([name]) => name)).toEqual(['createKey', 'chooseKey']);
    const cancelled = createClientFlow(fakeDeps({ cancelKey: true }).deps);
    expect(await cancelled.getState().chooseKey()).toBeNull();
    expect(cancelled.getState()).toMatchObject({ key: null, error: null, keyError: null });
    const refused = createClientFlow(fakeDeps({ fail: 'chooseKey' }).deps);
    expect(await refused.getState().chooseKey()).toBeNull();
    expect(refused.getState()).toMatchObject({ key: null, keyError: { code: 'E_KEY_WRONG' } });
  });

  it('takes the key file remembered from an earlier run, and forgets it (not while a drive is unlocked)', async () => {
    const { deps, calls } = fakeDeps();
    const flow = createClientFlow(deps);
    expect(await flow.getState().restoreKey()).toEqual({ keyFile: '/home/c/ma.key', publicKey: PUB, publicKeyFile: null });
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    await flow.getState().forgetKey();
    expect(calls.filter(([name]) => name === 'forgetKey')).toEqual([]);
    expect(flow.getState().key).not.toBeNull();
    flow.getState().forget();
    await flow.getState().forgetKey();
    expect(calls).toContainEqual(['forgetKey', {}]);
    expect(flow.getState().key).toBeNull();
    const none = createClientFlow(fakeDeps({ cancelKey: true }).deps);
    expect(await none.getState().restoreKey()).toBeNull();
    expect(none.getState()).toMatchObject({ key: null, keyError: null });
  });

  it('starts with the key chosen on an earlier visit, and opens the drive with it', async () => {
    const { deps, calls } = fakeDeps({ receipts: 'customer-key' });
    const flow = createClientFlow(deps, { keyFile: '/home/c/ma.key', publicKey: PUB, publicKeyFile: null });
    await flow.getState().pick('A');
    expect(await flow.getState().unlockWithKey()).toBe('s1');
    expect(calls).toContainEqual(['unlock', { driveDir: 'A', keyFile: '/home/c/ma.key' }]);
  });

  it('opens the drive with the customer key, and its receipts say they are customer-attested', async () => {
    const { deps, calls } = fakeDeps({ receipts: 'customer-key' });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    expect(await flow.getState().unlockWithKey()).toBeNull(); // no key chosen yet
    await flow.getState().chooseKey();
    expect(await flow.getState().unlockWithKey()).toBe('s1');
    expect(calls).toContainEqual(['unlock', { driveDir: 'A', keyFile: '/home/c/ma.key' }]);
    expect(flow.getState()).toMatchObject({ sessionId: 's1', openedWith: 'customer-key', receipts: 'customer-key', lastUnlock: 'key' });
    await flow.getState().confirmReceipt({ ok: true, problems: 0 }, { files: 1, bytes: 1, partial: false });
    expect(flow.getState().confirmed).toEqual({ synced: true, attestation: 'customer-key' });
  });

  it('names the chosen key when unlocking with the code, so that it signs the receipts; says data-key otherwise', async () => {
    const { deps, calls } = fakeDeps();
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().chooseKey();
    await flow.getState().unlock('CODE');
    expect(calls).toContainEqual(['unlock', { driveDir: 'A', code: 'CODE', keyFile: '/home/c/ma.key' }]);
    expect(flow.getState()).toMatchObject({ openedWith: 'unlock-code', receipts: 'data-key' });
    await flow.getState().confirmReceipt({ ok: true, problems: 0 }, { files: 1, bytes: 1, partial: false });
    expect(flow.getState().confirmed).toEqual({ synced: true, attestation: 'data-key' });
  });

  it('unlocking again with the key locks the session opened with the code first', async () => {
    const { deps, calls } = fakeDeps({ receipts: 'needs-customer-key' });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    expect(flow.getState().receipts).toBe('needs-customer-key');
    await flow.getState().chooseKey();
    expect(await flow.getState().unlockWithKey()).toBe('s2');
    expect(calls).toContainEqual(['lock', { sessionId: 's1' }]);
    expect(flow.getState().sessionId).toBe('s2');
  });

  it('says when an erase left no record (a drive sealed for a customer key not given)', async () => {
    const { deps } = fakeDeps({ receipts: 'needs-customer-key', noEraseRecord: true });
    const flow = createClientFlow(deps);
    await flow.getState().pick('A');
    await flow.getState().unlock('CODE');
    await flow.getState().erase();
    expect(flow.getState().erased).toEqual({ checkFailed: false, recorded: false });
  });
});
