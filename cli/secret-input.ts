/**
 * Reading the secret that opens a drive: an unlock code from a prompt without echo, from
 * standard input or from a file, or an X25519 identity file. A code on the command line is
 * accepted only through the explicitly named --unsafe-code, with a warning.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ScelleError } from '../shared/errors/scelle-error.js';
import { readEscrowKeyFile } from '../shared/format/key-files.js';
import type { DriveSecret } from '../shared/engine/api.js';

/** Where the secret comes from, as parsed from the options. */
export interface SecretOptions {
  'code-file'?: string;
  identity?: string;
  'unsafe-code'?: string;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Prompts on the terminal without echoing what is typed. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    out._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/**
 * Resolves the secret. Throws E_USAGE when two sources are given, E_KEY_FILE for an
 * unreadable identity or code file.
 */
export async function readSecret(opts: SecretOptions, prompt: string, warn: (s: string) => void, unsafeWarning: string): Promise<DriveSecret> {
  const given = [opts['code-file'], opts.identity, opts['unsafe-code']].filter((x) => x !== undefined);
  if (given.length > 1) throw new ScelleError('E_USAGE', 'give only one of --code-file, --identity, --unsafe-code', { reason: '--code-file / --identity / --unsafe-code' });
  if (opts.identity !== undefined) {
    const pair = await readEscrowKeyFile(opts.identity);
    return { kind: 'x25519', secretKey: pair.secretKey };
  }
  if (opts['unsafe-code'] !== undefined) {
    warn(unsafeWarning);
    return { kind: 'unlock-code', code: opts['unsafe-code'] };
  }
  if (opts['code-file'] !== undefined) {
    if (opts['code-file'] === '-') return { kind: 'unlock-code', code: await readStdinLine() };
    try {
      return { kind: 'unlock-code', code: readFileSync(opts['code-file'], 'utf8').split(/\r?\n/)[0] ?? '' };
    } catch {
      throw new ScelleError('E_KEY_FILE', `cannot read ${opts['code-file']}`, { path: opts['code-file'], problem: 'unreadable' });
    }
  }
  if (process.stdin.isTTY) return { kind: 'unlock-code', code: await promptHidden(prompt) };
  return { kind: 'unlock-code', code: await readStdinLine() };
}
