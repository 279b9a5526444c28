/**
 * SupervisedEngineHost over a scripted transport (the app's utility process and the harness's
 * worker thread plug into the same factory): start, routing, crash, cancel that is obeyed,
 * cancel that is not (kill and restart), close.
 */
import { describe, expect, it } from 'vitest';
import type { EngineChannelEvents, EngineChannelFactory } from './engine-channel.js';
import { SupervisedEngineHost, type EngineRestartReason } from './engine-host.js';
import type { HostMessage, WorkerMessage } from './engine-protocol.js';
import { ScelleError } from '../../shared/errors/scelle-error.js';

/** One scripted engine: records what the host sends; the test answers for it. */
class ScriptedEngine {
  readonly posted: HostMessage[] = [];
  killed = false;
  constructor(private readonly events: EngineChannelEvents) {}
  send(m: WorkerMessage): void {
    this.events.onMessage(m);
  }
  exit(reason: string): void {
    this.events.onExit(reason);
  }
  calls(): Extract<HostMessage, { kind: 'call' }>[] {
    return this.posted.filter((m): m is Extract<HostMessage, { kind: 'call' }> => m.kind === 'call');
  }
  lastCallId(): number {
    const c = this.calls().at(-1);
    if (!c) throw new Error('no call was posted');
    return c.callId;
  }
}

function scripted(opts: { onKill?: (e: ScriptedEngine) => void; onClose?: (e: ScriptedEngine) => void } = {}) {
  const engines: ScriptedEngine[] = [];
  const factory: EngineChannelFactory = (events) => {
    const e = new ScriptedEngine(events);
    engines.push(e);
    return {
      post: (m) => {
        e.posted.push(m);
        if (m.kind === 'close') opts.onClose?.(e);
      },
      kill: () => {
        e.killed = true;
        (opts.onKill ?? ((x) => x.exit('killed')))(e);
      },
    };
  };
  return { engines, factory };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const progress = { phase: 'scan' as const, bytesDone: 1, bytesTotal: 0, filesDone: 1, filesTotal: 0, bytesPerSecond: 1, etaSeconds: null };

describe('SupervisedEngineHost', () => {
  it('starts the engine at the first call with init first, then routes answers, errors and progress', async () => {
    const { engines, factory } = scripted();
    const seen: string[] = [];
    const host = new SupervisedEngineHost(factory, (jobId) => seen.push(jobId), { pinnedRoots: ['cm9vdA=='] });
    expect(engines).toHaveLength(0);
    const locked = host.call({ op: 'lock', args: { sessionId: 's_x' } });
    const e = engines[0]!;
    expect(e.posted[0]).toEqual({ kind: 'init', pinnedRoots: ['cm9vdA=='] });
    e.send({ kind: 'result', callId: e.lastCallId(), value: { locked: true } });
    expect(await locked).toEqual({ locked: true });
    const inspected = host.call({ op: 'inspect', args: { driveDir: '/x' } });
    e.send({ kind: 'error', callId: e.lastCallId(), error: { code: 'E_FORMAT_MANIFEST', message: 'no manifest', details: { path: '/x' } } });
    await expect(inspected).rejects.toMatchObject({ code: 'E_FORMAT_MANIFEST', details: { path: '/x' } });
    e.send({ kind: 'progress', jobId: 'job-1', progress });
    expect(seen).toEqual(['job-1']);
    expect(engines).toHaveLength(1);
  });

  it('after a crash: pending calls fail with E_INTERNAL, the crash is reported, a new engine is started and serves the next call', async () => {
    const { engines, factory } = scripted();
    const restarts: [EngineRestartReason, string][] = [];
    const host = new SupervisedEngineHost(factory, () => undefined, { onRestart: (r, d) => restarts.push([r, d]) });
    const sealing = host.call({ op: 'seal', jobId: 'job-seal', args: { sources: ['/s'], target: '/t', unlockCode: true, x25519: [], stationKeyFile: '/k' } });
    engines[0]!.exit('exit code 134');
    await expect(sealing).rejects.toMatchObject({ code: 'E_INTERNAL' });
    expect(restarts).toEqual([['crash', 'exit code 134']]);
    expect(engines).toHaveLength(2);
    expect(host.isRunning).toBe(true);
    expect(engines[1]!.posted).toEqual([{ kind: 'init', pinnedRoots: [] }]);
    expect(await host.cancel('job-seal')).toBe(false);
    const again = host.call({ op: 'lock', args: { sessionId: 's_y' } });
    expect(engines).toHaveLength(2);
    engines[1]!.send({ kind: 'result', callId: engines[1]!.lastCallId(), value: { locked: false } });
    expect(await again).toEqual({ locked: false });
  });

  it('a cancel the job obeys: the job ends with E_CANCELLED, the engine keeps running', async () => {
    const { engines, factory } = scripted();
    const restarts: string[] = [];
    const host = new SupervisedEngineHost(factory, () => undefined, { cancelGraceMs: 20, onRestart: (r) => restarts.push(r) });
    const counting = host.call({ op: 'count', jobId: 'job-count', args: { paths: ['/x'] } });
    const e = engines[0]!;
    expect(await host.cancel('job-count')).toBe(true);
    expect(e.posted.at(-1)).toEqual({ kind: 'cancel', jobId: 'job-count' });
    e.send({ kind: 'error', callId: e.lastCallId(), error: { code: 'E_CANCELLED', message: 'cancelled', details: {} } });
    await expect(counting).rejects.toMatchObject({ code: 'E_CANCELLED' });
    await new Promise((r) => setTimeout(r, 60));
    expect(e.killed).toBe(false);
    expect(restarts).toEqual([]);
    expect(host.isRunning).toBe(true);
  });

  it('a cancel the job ignores: after the grace period the engine is killed, the job fails E_CANCELLED, the others E_INTERNAL, and a new engine serves the next call', async () => {
    const { engines, factory } = scripted();
    const restarts: [EngineRestartReason, string][] = [];
    const host = new SupervisedEngineHost(factory, () => undefined, { cancelGraceMs: 30, onRestart: (r, d) => restarts.push([r, d]) });
    const verifying = host.call({ op: 'verify', jobId: 'job-stuck', args: { driveDir: '/d' } });
    const browsing = host.call({ op: 'browse', args: { sessionId: 's_a', folder: '', start: 0, limit: 10 } });
    const e = engines[0]!;
    expect(await host.cancel('job-stuck')).toBe(true);
    await tick();
    expect(e.killed).toBe(false);
    await expect(verifying).rejects.toMatchObject({ code: 'E_CANCELLED' });
    await expect(browsing).rejects.toMatchObject({ code: 'E_INTERNAL' });
    expect(e.killed).toBe(true);
    expect(restarts).toEqual([['stuck-cancel', 'job job-stuck']]);
    expect(engines).toHaveLength(2);
    expect(host.isRunning).toBe(true);
    const next = host.call({ op: 'lock', args: { sessionId: 's_a' } });
    expect(engines).toHaveLength(2);
    engines[1]!.send({ kind: 'result', callId: engines[1]!.lastCallId(), value: { locked: false } });
    expect(await next).toEqual({ locked: false });
    // A late answer from the killed engine changes nothing.
    e.send({ kind: 'result', callId: 1, value: 'late' });
  });

  it('stops starting engines at once after three unasked ends in a minute; the next call still starts one', async () => {
    const { engines, factory } = scripted();
    const restarts: string[] = [];
    const host = new SupervisedEngineHost(factory, () => undefined, { onRestart: (r) => restarts.push(r) });
    void host.call({ op: 'lock', args: { sessionId: 's_a' } }).catch(() => undefined);
    for (let i = 0; i < 4; i++) engines[i]!.exit('exit code 1');
    expect(restarts).toEqual(['crash', 'crash', 'crash', 'crash']);
    expect(engines).toHaveLength(4);
    expect(host.isRunning).toBe(false);
    void host.call({ op: 'lock', args: { sessionId: 's_a' } });
    expect(engines).toHaveLength(5);
  });

  it('says false for a job that is not running, and sends nothing', async () => {
    const { engines, factory } = scripted();
    const host = new SupervisedEngineHost(factory, () => undefined);
    expect(await host.cancel('job-none')).toBe(false);
    expect(engines).toHaveLength(0);
    void host.call({ op: 'lock', args: { sessionId: 's_a' } });
    expect(await host.cancel('job-none')).toBe(false);
    expect(engines[0]!.posted.map((m) => m.kind)).toEqual(['init', 'call']);
  });

  it('close: the engine closes its sessions, then it is ended; open calls fail; a later call starts afresh', async () => {
    const { engines, factory } = scripted({ onClose: (e) => queueMicrotask(() => e.send({ kind: 'closed' })) });
    const restarts: string[] = [];
    const host = new SupervisedEngineHost(factory, () => undefined, { onRestart: (r) => restarts.push(r) });
    const open = host.call({ op: 'open', jobId: 'job-open', args: { sessionId: 's_a', dest: '/r' } });
    await host.close();
    const e = engines[0]!;
    expect(e.posted.map((m) => m.kind)).toEqual(['init', 'call', 'close']);
    expect(e.killed).toBe(true);
    await expect(open).rejects.toMatchObject({ code: 'E_INTERNAL' });
    expect(restarts).toEqual([]);
    expect(engines).toHaveLength(1);
    expect(host.isRunning).toBe(false);
    void host.call({ op: 'lock', args: { sessionId: 's_a' } });
    expect(engines).toHaveLength(2);
  });

  it('close does not wait past its grace period for an engine that never answers', async () => {
    const { engines, factory } = scripted();
    const host = new SupervisedEngineHost(factory, () => undefined, { closeGraceMs: 20 });
    void host.call({ op: 'lock', args: { sessionId: 's_a' } }).catch(() => undefined);
    const t0 = Date.now();
    await host.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(engines[0]!.killed).toBe(true);
  });

  it("hands a set seal's events to the call's hooks and posts the answer to its next-drive question (an error when they refuse, or when there are none)", async () => {
    const { engines, factory } = scripted();
    const host = new SupervisedEngineHost(factory, () => undefined);
    const started: number[] = [];
    const asked: number[] = [];
    const args = { sources: ['/s'], target: '/a', unlockCode: true, x25519: [], stationKeyFile: '/k', set: { more: [], waitForDrives: true } };
    const job = host.call(
      { op: 'seal', jobId: 'job-set-0001', args },
      {
        onMemberStarted: (m) => started.push(m.position),
        nextTarget: async (r) => {
          asked.push(r.position);
          if (r.refused) throw new ScelleError('E_CANCELLED', 'no drive');
          return '/b';
        },
      },
    );
    const e = engines[0]!;
    const request = { setId: 'SET1', position: 2, members: 2, driveId: 'D2', bytesNeeded: 10, refused: null };
    e.send({ kind: 'set', jobId: 'job-set-0001', event: { type: 'started', member: { setId: 'SET1', position: 1, members: 2, driveId: 'D1', target: '/a' } } });
    e.send({ kind: 'set', jobId: 'job-set-0001', event: { type: 'next', request } });
    // Another job's question is not this call's.
    e.send({ kind: 'set', jobId: 'job-other-01', event: { type: 'next', request } });
    await tick();
    expect(started).toEqual([1]);
    expect(e.posted.filter((m) => m.kind === 'nextTarget')).toEqual([{ kind: 'nextTarget', jobId: 'job-set-0001', target: '/b' }]);
    e.send({ kind: 'set', jobId: 'job-set-0001', event: { type: 'next', request: { ...request, refused: { code: 'E_TARGET_TOO_SMALL', message: 'x', details: {} } } } });
    await tick();
    expect(e.posted.filter((m) => m.kind === 'nextTarget').at(-1)).toEqual({
      kind: 'nextTarget',
      jobId: 'job-set-0001',
      error: { code: 'E_CANCELLED', message: 'no drive', details: {} },
    });
    expect(asked).toEqual([2, 2]);
    e.send({ kind: 'error', callId: e.lastCallId(), error: { code: 'E_CANCELLED', message: 'no drive', details: {} } });
    await expect(job).rejects.toMatchObject({ code: 'E_CANCELLED' });

    // A seal called without hooks: the engine's question is answered with an error, never left waiting.
    const bare = host.call({ op: 'seal', jobId: 'job-set-0002', args });
    e.send({ kind: 'set', jobId: 'job-set-0002', event: { type: 'next', request } });
    await tick();
    expect(e.posted.filter((m) => m.kind === 'nextTarget').at(-1)).toMatchObject({ kind: 'nextTarget', jobId: 'job-set-0002', error: { code: 'E_USAGE' } });
    e.send({ kind: 'error', callId: e.lastCallId(), error: { code: 'E_USAGE', message: 'x', details: {} } });
    await expect(bare).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
