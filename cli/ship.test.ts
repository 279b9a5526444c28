/** `scelle ship` through the built binary (node bin/scelle.js, after npm run build): exit codes and messages. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'scelle.js');
const built = existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'commands', 'ship.js'));

function scelle(args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'scelle-ship-bin-'));
  try {
    return spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, SCELLE_HOME: home, SCELLE_LANG: '' }, encoding: 'utf8' });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe.skipIf(!built)('scelle ship (built binary)', () => {
  it('refuses a wrong check digit with exit 10 and the reason, in French and in English', () => {
    const fr = scelle(['ship', 'D7K2M9Q4', '--carrier', 'ups', '--tracking', '1Z5R89390357567137']);
    expect(fr.status).toBe(10);
    expect(fr.stderr).toContain('[E_CARRIER_INVALID]');
    expect(fr.stderr).toContain('chiffre de contrôle');
    const en = scelle(['ship', 'D7K2M9Q4', '--carrier', 'ups', '--tracking', '1Z5R89390357567137', '--lang', 'en']);
    expect(en.status).toBe(10);
    expect(en.stderr).toContain('check digit is wrong');
  });

  it('refuses an unknown format unless --other-carrier is given, and needs a station that sealed the drive', () => {
    const unknown = scelle(['ship', 'D7K2M9Q4', '--tracking', 'LOCAL-778899', '--lang', 'en']);
    expect(unknown.status).toBe(10);
    expect(unknown.stderr).toContain('--other-carrier');
    const other = scelle(['ship', 'D7K2M9Q4', '--other-carrier', 'Messagerie Beauce', '--tracking', 'LOCAL-778899', '--lang', 'en']);
    expect(other.stderr).toContain('Messagerie Beauce');
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('[E_CUSTODY_CHAIN]');
  });

  it('lists the new commands and exit codes in --help', () => {
    const help = scelle(['--help']);
    expect(help.stdout).toContain('scelle ship');
    expect(help.stdout).toContain('scelle erase');
    expect(help.stdout).toContain('scelle custody');
    expect(help.stdout).toContain('10 numéro de suivi refusé');
  });
});
