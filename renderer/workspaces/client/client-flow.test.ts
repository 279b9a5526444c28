import { describe, expect, it } from 'vitest';
import type { DriveInfoDto } from '../../../shared/ipc/index.js';
import { UiError } from '../../bridge.js';
import { createClientFlow, type ClientFlowDeps } from './client-flow.js';

const infoOf = (driveId: string) => ({ driveId }) as unknown as DriveInfoDto;

/** A fake main side that logs every call; `fail` makes the named call throw. */
function fakeDeps(opts: { fail?: keyof ClientFlowDeps; synced?: boolean; verification?: 'pass' | 'fail' } = {}) {
  const calls: Array<[string, unknown]> = [];
  const answer = <T>(name: keyof ClientFlowDeps, req: unknown, value: T): Promise<T> => {
    calls.push([name, req]);
    return opts.fail === name ? Promise.reject(new UiError('E_KEY_WRONG', 'refused')) : Promise.resolve(value);
  };
  let sessions = 0;
  const deps: ClientFlowDeps = {
    inspect: (req) => answer('inspect', req, infoOf(`D-${req.driveDir}`)),
    unlock: (req) => answer('unlock', req, { sessionId: `s${++sessions}` } as never),
    lock: (req) => answer('lock', req, {}),
    record: (req) => answer('record', req, { eventId: `e-${req.type}`, synced: opts.synced ?? true }),
    eraseSealed: (req) => answer('eraseSealed', req, { erased: true as const, verification: opts.verification ?? 'pass', eventId: 'e-erased', synced: true }),
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
    expect(flow.getState().confirmed).toEqual({ synced: false });
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
    expect(flow.getState()).toMatchObject({ sessionId: null, erased: { checkFailed: true } });
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
});
