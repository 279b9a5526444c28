/**
 * TEST-ONLY: makes an interrupted seal as a technician gets one when a seal is cancelled (or the
 * cable pulled) after some parts are finished: the real engine seals `sources` into `target`
 * with small parts and is aborted once `stopAfterBytes` source bytes were read, leaving
 * `SCELLE-<id>/` with its `.seal-state.json` and no manifest. No vitest import: the e2e harness
 * uses it too.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { seal } from '../../shared/engine/index.js';
import type { StationIdentity } from '../../shared/format/station.js';

/** What makeInterruptedSeal needs. */
export interface InterruptedSealSpec {
  sources: string[];
  target: string;
  station: StationIdentity;
  /** Part size (plaintext bytes); small so a few MiB make several parts. */
  partPlaintextSize: number;
  /** Abort once this many source bytes were read (the sink finishes parts a few MiB behind the reading). */
  stopAfterBytes: number;
}

/**
 * Runs the seal and aborts it mid-way. Returns the unfinished drive folder.
 * @throws Error when the seal was not cancelled (it finished first: give bigger sources) or left
 *   no resumable folder.
 */
export async function makeInterruptedSeal(spec: InterruptedSealSpec): Promise<string> {
  const ac = new AbortController();
  const before = new Set(existsSync(spec.target) ? readdirSync(spec.target) : []);
  try {
    await seal(
      {
        sources: spec.sources,
        target: spec.target,
        station: spec.station,
        recipients: { unlockCode: false, x25519: [{ label: 'test', publicKey: x25519.getPublicKey(new Uint8Array(randomBytes(32))) }] },
        partPlaintextSize: spec.partPlaintextSize,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'seal' && p.bytesDone >= spec.stopAfterBytes) ac.abort();
        },
      },
      { sinkMode: 'inline', progressIntervalMs: 0 },
    );
  } catch (e) {
    if ((e as { code?: string }).code !== 'E_CANCELLED') throw e;
    const made = readdirSync(spec.target).filter((n) => n.startsWith('SCELLE-') && !before.has(n));
    if (made.length !== 1 || !existsSync(join(spec.target, made[0]!, '.seal-state.json'))) throw new Error('the cancelled seal left no resumable folder');
    return join(spec.target, made[0]!);
  }
  throw new Error('the seal finished before it could be interrupted: give it bigger sources');
}
