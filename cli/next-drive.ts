/**
 * `scelle seal --next-drive`: asks for the folder of the next member drive of a set when the
 * drives given are full. The folder is read as one line from the terminal (with the question on
 * standard error) or from standard input when it is not a terminal (scripts); an empty line or
 * the end of input cancels the seal (E_CANCELLED). A refused folder is explained and asked again.
 */
import { createInterface, type Interface } from 'node:readline';
import { ScelleError } from '../shared/errors/scelle-error.js';
import type { NextMemberRequest } from '../shared/engine/api.js';
import { errorSentence, fmtBytes } from './messages.js';
import type { Output } from './output.js';
import { t } from './text.js';

/** A `nextTarget` callback for the engine's seal, reading folders line by line (see module doc). */
export function nextDriveFromInput(
  out: Output,
  input: NodeJS.ReadableStream = process.stdin,
): { nextTarget: (r: NextMemberRequest) => Promise<string>; close: () => void; declined: () => boolean } {
  let declined = false;
  let rl: Interface | null = null;
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const start = () => {
    if (rl) return;
    rl = createInterface({ input, terminal: false });
    rl.on('line', (line) => {
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    });
    rl.on('close', () => {
      ended = true;
      for (const w of waiting.splice(0)) w(null);
    });
  };
  const readLine = () =>
    new Promise<string | null>((resolve) => {
      start();
      if (lines.length > 0) resolve(lines.shift()!);
      else if (ended) resolve(null);
      else waiting.push(resolve);
    });
  return {
    async nextTarget(r) {
      if (r.refused) out.warn(t(out.lang, 'nextDriveRefused', errorSentence(out.lang, r.refused.code as ScelleError['code'], r.refused.details).message), 'next-drive-refused');
      out.emit({ event: 'next-drive', setId: r.setId, position: r.position, members: r.members, driveId: r.driveId, bytesNeeded: r.bytesNeeded, refused: r.refused?.code ?? null });
      if (!out.json) process.stderr.write('\n' + t(out.lang, 'nextDrivePrompt', r.position, r.members, fmtBytes(r.bytesNeeded, out.lang)));
      const line = (await readLine())?.trim() ?? '';
      if (line === '') {
        declined = true;
        throw new ScelleError('E_CANCELLED', `no folder given for drive ${r.position} of ${r.members}`);
      }
      return line;
    },
    close: () => rl?.close(),
    declined: () => declined,
  };
}
