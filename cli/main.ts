/**
 * The `scelle` command line: a thin layer over shared/engine. Parses the command, runs it,
 * and turns errors into a sentence with a next step (fr-CA by default) and an exit code.
 */
import { isScelleError, ScelleError, type ScelleErrorCode } from '../shared/errors/scelle-error.js';
import { scelleHome } from './config.js';
import { errorSentence, pickLang, type Lang } from './messages.js';
import { Output } from './output.js';
import { t } from './text.js';

/** Exit codes (documented in --help and README). */
export function exitCodeFor(code: ScelleErrorCode): number {
  if (code === 'E_USAGE' || code === 'E_SET_MISMATCH') return 2;
  if (code === 'E_SET_MEMBER_MISSING') return 12;
  if (code === 'E_CANCELLED') return 130;
  if (code.startsWith('E_FORMAT')) return 3;
  if (code.startsWith('E_KEY')) return 4;
  if (code.startsWith('E_TARGET') || code === 'E_RESUME_MISMATCH') return 5;
  if (code.startsWith('E_SOURCE')) return 6;
  if (code.startsWith('E_RESTORE')) return 7;
  if (code === 'E_CUSTODY_JOURNAL') return 8;
  if (code === 'E_CUSTODY_OFFLINE') return 9;
  if (code === 'E_CARRIER_INVALID') return 10;
  if (code === 'E_CUSTODY_SYNC') return 11;
  return 1;
}

type Command = (argv: string[], out: Output, signal: AbortSignal) => Promise<number>;

/** Commands load their modules on demand, so that each invocation pays only for its own. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  seal: async () => (await import('./commands/seal.js')).sealCommand,
  verify: async () => (await import('./commands/read.js')).verifyCommand,
  list: async () => (await import('./commands/read.js')).listCommand,
  open: async () => (await import('./commands/read.js')).openCommand,
  keygen: async () => (await import('./commands/keys.js')).keygenCommand,
  certify: async () => (await import('./commands/keys.js')).certifyCommand,
  setup: async () => (await import('./commands/keys.js')).setupCommand,
  revoke: async () => (await import('./commands/keys.js')).revokeCommand,
  ship: async () => (await import('./commands/ship.js')).shipCommand,
  erase: async () => (await import('./commands/erase.js')).eraseCommand,
  custody: async () => (await import('./commands/custody.js')).custodyCommand,
  station: async () => (await import('./commands/station.js')).stationCommand,
};

function langFrom(argv: string[]): Lang {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const v = i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  return pickLang(v);
}

/** Runs the command line with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const lang = langFrom(argv);
  const json = argv.includes('--json');
  const out = new Output(lang, json);
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help' || ((!command || !COMMANDS[command]) && argv.includes('--help'))) {
    out.info(t(lang, 'usage', scelleHome()));
    return command ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.info(t(lang, 'usage', scelleHome()));
    return 0;
  }
  const run = COMMANDS[command];
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  watchStdout(() => {
    out.stdoutGone();
    controller.abort();
  });
  try {
    if (!run) throw new ScelleError('E_USAGE', `unknown command ${command}`, { reason: command });
    const code = await (await run())(rest, out, controller.signal);
    return out.closed ? STDOUT_GONE_EXIT : code;
  } catch (e) {
    if (out.closed) return STDOUT_GONE_EXIT;
    const err = isScelleError(e) ? e : new ScelleError('E_INTERNAL', e instanceof Error ? e.message : String(e));
    const s = errorSentence(lang, err.code, err.details);
    if (json) out.emit({ event: 'error', code: err.code, message: s.message, hint: s.hint, details: err.details });
    else {
      process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${lang === 'fr' ? 'Erreur' : 'Error'} [${err.code}] : ${s.message}\n${s.hint}\n`);
      if (err.code === 'E_INTERNAL' && process.env.SCELLE_DEBUG) process.stderr.write(String((e as Error).stack) + '\n');
    }
    return exitCodeFor(err.code);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

let onStdoutGone: (() => void) | null = null;

/**
 * The reader of stdout went away (EPIPE: `scelle list | head`): the running command stops as
 * a pipe's writer does, without a message. One listener for the process, kept to its end
 * (the error can arrive after the command returned, and would otherwise crash Node).
 */
function watchStdout(onGone: () => void): void {
  if (onStdoutGone === null) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      onStdoutGone?.();
    });
  }
  onStdoutGone = onGone;
}

/** Exit code when stdout's reader went away: 128 + SIGPIPE, as a shell reports a writer killed by it. */
const STDOUT_GONE_EXIT = 141;

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
