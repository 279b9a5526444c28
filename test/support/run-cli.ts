/** Runs the `scelle` command line in-process (cli/main.ts) and captures what it writes. */
import { vi } from 'vitest';
import { main } from '../../cli/main.js';

/** What a run wrote, with the JSON Lines events parsed when --json was given. */
export interface CliRun {
  code: number;
  events: Array<Record<string, unknown>>;
  stdout: string;
  stderr: string;
}

/**
 * Runs `scelle <args>`; with `home`, as the machine whose configuration folder is `home`
 * (SCELLE_HOME is restored afterwards).
 */
export async function runCli(args: string[], home?: string): Promise<CliRun> {
  const saved = process.env['SCELLE_HOME'];
  if (home !== undefined) process.env['SCELLE_HOME'] = home;
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let code: number;
  try {
    code = await main(args);
  } finally {
    o.mockRestore();
    e.mockRestore();
    if (home !== undefined) {
      if (saved === undefined) delete process.env['SCELLE_HOME'];
      else process.env['SCELLE_HOME'] = saved;
    }
  }
  const events = args.includes('--json')
    ? stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
  return { code, events, stdout, stderr };
}
