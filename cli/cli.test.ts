// End-to-end tests of the `scelle` command as users run it: the built bin, real processes,
// real files. Requires `npm run build` (the test command builds first).
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytes, tempDir, writeTree } from '../test/support/engine-fixtures.js';
import { ERROR_CODES } from '../shared/errors/scelle-error.js';
import { missingErrorSentences } from './messages.js';
import { TEXT } from './text.js';
import { indexAndSlackBytes, streamCiphertextSize } from '../shared/format/payload-size.js';

const bin = fileURLToPath(new URL('../bin/scelle.js', import.meta.url));
const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function run(args: string[], home: string, input?: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input: input ?? '',
    env: { ...process.env, SCELLE_HOME: home, SCELLE_LANG: '', ...env },
    timeout: 120_000,
  });
}

function jsonEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function result(r: SpawnSyncReturns<string>): Record<string, unknown> {
  const ev = jsonEvents(r.stdout).find((e) => e.event === 'result' || e.event === 'error');
  if (!ev) throw new Error(`no result in: ${r.stdout}\n${r.stderr}`);
  return ev;
}

beforeAll(() => {
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` before the CLI tests (npm test does it)');
});

describe('help and messages', () => {
  it('prints help in French by default and in English with --lang en', () => {
    const home = tempDir();
    const fr = run(['--help'], home);
    expect(fr.status).toBe(0);
    expect(fr.stdout).toContain('sceller des données');
    expect(fr.stdout).toContain('Codes de sortie');
    const en = run(['seal', '--help', '--lang', 'en'], home);
    expect(en.stdout).toContain('seal data onto an encrypted drive');
    expect(en.stdout).toContain('Exit codes');
  });
  it('has every text in both languages and a sentence for every error code', () => {
    expect(Object.keys(TEXT.en).sort()).toEqual(Object.keys(TEXT.fr).sort());
    expect(missingErrorSentences(ERROR_CODES)).toEqual([]);
  });
  it('rejects an unknown command or option with exit code 2 and a sentence', () => {
    const home = tempDir();
    const r = run(['sceller'], home);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Commande incorrecte');
    const r2 = run(['seal', 'x', '--to', 'y', '--bogus', '--lang', 'en'], home);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('Incorrect command');
  });
});

describe('seal and open from a machine with nothing set up', () => {
  it('creates a station on first use, shows the unlock code once, and opens with it from stdin or a file', () => {
    const home = tempDir();
    const src = tempDir();
    writeTree(src, { 'dossier/a.txt': 'contenu', 'dossier/b/c.bin': bytes(200_000) });
    const target = tempDir();
    const sealed = run(['seal', join(src, 'dossier'), '--to', target], home);
    expect(sealed.status).toBe(0);
    expect(sealed.stderr).toContain('Nouveau poste local créé');
    const code = /\n {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4}){6})\n/.exec(sealed.stdout)?.[1];
    expect(code).toBeDefined();
    expect(existsSync(join(home, 'station.key'))).toBe(true);
    // The code never lands on disk in the configuration.
    for (const f of readdirSync(home)) if (f.endsWith('.key') || f.endsWith('.json')) expect(readFileSync(join(home, f), 'utf8')).not.toContain(code!.replace(/-/g, ''));
    const drive = readdirSync(target).find((n) => n.startsWith('SCELLE-'))!;

    const dest = tempDir();
    const opened = run(['open', join(target, drive), '--to', dest], home, `${code!.toLowerCase()}\n`);
    expect(opened.status).toBe(0);
    expect(opened.stderr).toContain('n’est pas certifié');
    expect(readFileSync(join(dest, 'dossier/a.txt'), 'utf8')).toBe('contenu');
    expect(readFileSync(join(dest, 'dossier/b/c.bin')).equals(bytes(200_000))).toBe(true);

    const codeFile = join(tempDir(), 'code.txt');
    writeFileSync(codeFile, `${code}\n`);
    const again = run(['open', join(target, drive), '--to', dest, '--code-file', codeFile, '--json'], home);
    expect(again.status).toBe(7);
    expect(result(again)).toMatchObject({ event: 'error', code: 'E_RESTORE_EXISTS' });
    const over = run(['open', join(target, drive), '--to', dest, '--code-file', codeFile, '--overwrite', '--json'], home);
    expect(result(over)).toMatchObject({ event: 'result', files: 2, verified: true });

    // list streams one JSON event per entry, for everything or one folder.
    const listed = run(['list', join(target, drive), '--code-file', codeFile, '--json'], home);
    expect(listed.status).toBe(0);
    const entries = jsonEvents(listed.stdout)
      .filter((e) => e.event === 'entry')
      .map((e) => e.path);
    expect(entries).toEqual(['dossier/b/c.bin', 'dossier/a.txt', 'dossier/b', 'dossier']);
    expect(result(listed)).toMatchObject({ command: 'list', files: 2, entries: 4, listed: 4 });
    const folder = run(['list', join(target, drive), 'dossier/b', '--code-file', codeFile, '--lang', 'en'], home);
    expect(folder.status).toBe(0);
    expect(folder.stdout).toMatch(/2 files/);
    expect(
      folder.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/).at(-1)),
    ).toEqual(['dossier/b/', 'dossier/b/c.bin']);
    // open takes a folder.
    const part = tempDir();
    const some = run(['open', join(target, drive), '--to', part, 'dossier/b', '--code-file', codeFile, '--json'], home);
    expect(result(some)).toMatchObject({ event: 'result', files: 1, verified: true });
    expect(readdirSync(join(part, 'dossier'))).toEqual(['b']);
  });

  it('gives documented exit codes for a wrong code, a typo, a missing target and a damaged drive', () => {
    const home = tempDir();
    const src = tempDir();
    writeTree(src, { 'd/x.txt': 'x' });
    const target = tempDir();
    const sealed = result(run(['seal', join(src, 'd'), '--to', target, '--json'], home));
    const code = String(sealed.unlockCode);
    const drive = String(sealed.driveDir);
    const dest = tempDir();
    const typo = code.slice(0, 5) + (code[5] === 'A' ? 'B' : 'A') + code.slice(6);
    expect(run(['open', drive, '--to', dest, '--json'], home, `${typo}\n`).status).toBe(4);
    expect(result(run(['open', drive, '--to', dest, '--json'], home, `${typo}\n`))).toMatchObject({ code: 'E_KEY_UNLOCK_CODE_TYPO' });
    expect(run(['seal', join(src, 'd'), '--to', join(target, 'absent')], home).status).toBe(5);
    expect(run(['seal', join(src, 'nope'), '--to', target], home).status).toBe(6);
    const part = join(drive, 'payload', readdirSync(join(drive, 'payload'))[0]!);
    const buf = readFileSync(part);
    buf[100]! ^= 1;
    writeFileSync(part, buf);
    const v = run(['verify', drive, '--json'], home);
    expect(v.status).toBe(3);
    expect(result(v)).toMatchObject({ ok: false, problems: [{ code: 'E_FORMAT_PART_HASH' }] });
  });
});

describe('provider set-up: keys, certificate, escrow', () => {
  it('a certified station seals for escrow, and the drive verifies as certified and opens with the escrow key', () => {
    const admin = tempDir();
    const home = tempDir();
    expect(run(['keygen', 'root', '--out', join(admin, 'root.key')], admin).status).toBe(0);
    expect(run(['keygen', 'escrow', '--out', join(admin, 'escrow.key')], admin).status).toBe(0);
    expect(run(['keygen', 'station', '--id', 'mtl-prep-1', '--out', join(admin, 'station.key')], admin).status).toBe(0);
    expect(
      run(['certify', '--root-key', join(admin, 'root.key'), '--station-pub', join(admin, 'station.key.pub'), '--id', 'mtl-prep-1', '--out', join(admin, 'cert.json')], admin)
        .status,
    ).toBe(0);
    const setup = run(
      [
        'setup',
        '--root',
        join(admin, 'root.key.pub'),
        '--escrow',
        join(admin, 'escrow.key.pub'),
        '--station-key',
        join(admin, 'station.key'),
        '--certificate',
        join(admin, 'cert.json'),
        '--json',
      ],
      home,
    );
    expect(result(setup)).toMatchObject({ stationId: 'mtl-prep-1', stationCertified: true, pinnedRoots: 1, escrow: true });

    const src = tempDir();
    writeTree(src, { 'client/rapport.pdf': bytes(5000, 7) });
    const target = tempDir();
    const sealed = result(run(['seal', join(src, 'client'), '--to', target, '--no-unlock-code', '--json'], home));
    expect(sealed).toMatchObject({ stationId: 'mtl-prep-1', stationCertified: true });
    expect(sealed.unlockCode).toBeUndefined();
    const full = run(['verify', String(sealed.driveDir), '--identity', join(admin, 'escrow.key')], home);
    expect(full.status).toBe(0);
    expect(full.stdout).toContain('poste mtl-prep-1 certifié à la date du manifeste');
    expect(full.stdout).toContain('vérification complète');
    const dest = tempDir();
    expect(run(['open', String(sealed.driveDir), '--to', dest, '--identity', join(admin, 'escrow.key')], home).status).toBe(0);
    expect(readFileSync(join(dest, 'client/rapport.pdf')).equals(bytes(5000, 7))).toBe(true);
  });
});

describe('a seal killed mid-way resumes', () => {
  it('keeps finished parts, redoes the unfinished one under a new salt, and opens byte-exact', async () => {
    const home = tempDir();
    const admin = tempDir();
    run(['keygen', 'escrow', '--out', join(admin, 'escrow.key')], admin);
    const src = tempDir();
    mkdirSync(join(src, 'gros'));
    for (let i = 0; i < 6; i++) writeFileSync(join(src, 'gros', `f${i}.bin`), bytes(8 << 20, i + 1));
    const target = tempDir();
    const args = ['seal', join(src, 'gros'), '--to', target, '--no-unlock-code', '--recipient', join(admin, 'escrow.key.pub'), '--part-size', '4M'];
    // Start, wait until at least two parts are recorded in the state file, then SIGKILL.
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, SCELLE_HOME: home }, stdio: 'ignore' });
    let killedState: { parts: { file: string; sha256: string }[] } | null = null;
    for (let i = 0; i < 600 && killedState === null; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const d = readdirSync(target).find((n) => n.startsWith('SCELLE-'));
      if (!d || !existsSync(join(target, d, '.seal-state.json'))) continue;
      try {
        const st = JSON.parse(readFileSync(join(target, d, '.seal-state.json'), 'utf8')) as { parts: { file: string; sha256: string }[] };
        if (st.parts.length >= 2) {
          child.kill('SIGKILL');
          killedState = st;
        }
      } catch {
        /* being replaced */
      }
    }
    await new Promise((r) => child.once('exit', r));
    expect(killedState).not.toBeNull();
    const drive = join(
      target,
      readdirSync(target).find((n) => n.startsWith('SCELLE-'))!,
    );
    expect(existsSync(join(drive, 'manifest.json'))).toBe(false);
    // Not a sealed drive: verify says so.
    expect(result(run(['verify', drive, '--json'], home))).toMatchObject({ code: 'E_FORMAT_MANIFEST' });
    // A new seal refuses to start over it; --resume finishes it.
    expect(run([...args], home).status).toBe(5);
    const resumed = result(run([...args, '--resume', '--json'], home));
    expect(resumed).toMatchObject({ event: 'result', resumed: true, parts: 13 }); // 48 MiB of data + tar headers in 4 MiB parts
    const manifest = JSON.parse(readFileSync(join(drive, 'manifest.json'), 'utf8')) as { payload: { parts: { file: string; sha256: string }[] } };
    for (const p of killedState!.parts) expect(manifest.payload.parts.find((m) => m.file === p.file)?.sha256).toBe(p.sha256);
    const dest = tempDir();
    expect(run(['open', drive, '--to', dest, '--identity', join(admin, 'escrow.key')], home).status).toBe(0);
    for (let i = 0; i < 6; i++) expect(readFileSync(join(dest, 'gros', `f${i}.bin`)).equals(bytes(8 << 20, i + 1))).toBe(true);
  });
});

describe('restoring on worker threads (the compiled CLI)', () => {
  /** Seals `tree` (under folder `mix`) and returns the drive folder and the escrow key. */
  function sealTree(tree: Record<string, Buffer>): { home: string; drive: string; key: string } {
    const home = tempDir();
    const admin = tempDir();
    run(['keygen', 'escrow', '--out', join(admin, 'escrow.key')], admin);
    const src = tempDir();
    writeTree(src, tree);
    const target = tempDir();
    const sealed = result(run(['seal', join(src, 'mix'), '--to', target, '--no-unlock-code', '--recipient', join(admin, 'escrow.key.pub'), '--part-size', '16M', '--json'], home));
    return { home, drive: String(sealed.driveDir), key: join(admin, 'escrow.key') };
  }

  /** Flips a bit in the middle of payload part `n` (-1 = the last). */
  function damagePart(drive: string, n: number): void {
    const parts = readdirSync(join(drive, 'payload')).sort();
    const file = join(drive, 'payload', parts[n < 0 ? parts.length + n : n]!);
    const buf = readFileSync(file);
    buf[Math.floor(buf.length / 2)]! ^= 1;
    writeFileSync(file, buf);
  }

  /** Opens a damaged drive: exit 3, E_FORMAT_AUTH, no success; whatever was restored is complete and correct. */
  function expectDamageStops(s: { home: string; drive: string; key: string }, tree: Record<string, Buffer>): void {
    const dest = tempDir();
    const broken = run(['open', s.drive, '--to', dest, '--identity', s.key, '--json'], s.home);
    expect(broken.status).toBe(3);
    expect(result(broken)).toMatchObject({ event: 'error', code: 'E_FORMAT_AUTH' });
    expect(jsonEvents(broken.stdout).some((e) => e.event === 'result')).toBe(false);
    let restored = 0;
    for (const [rel, content] of Object.entries(tree)) {
      const p = join(dest, rel);
      if (!existsSync(p)) continue;
      expect(readFileSync(p).equals(content)).toBe(true);
      restored++;
    }
    expect(restored).toBeLessThan(Object.keys(tree).length);
    expect(readdirSync(join(dest, 'mix'), { recursive: true }).filter((n) => String(n).includes('scelle-partial'))).toEqual([]);
  }

  it('restores many files on parallel workers byte-exact, refuses to overwrite, and stops at a damaged segment', () => {
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 1500; i++) tree[`mix/d${i % 7}/small-${i}.bin`] = bytes((i * 7919) % 20_000, i);
    for (let i = 0; i < 3; i++) tree[`mix/large-${i}.bin`] = bytes(6 << 20, 5000 + i);
    const s = sealTree(tree);
    const dest = tempDir();
    const opened = run(['open', s.drive, '--to', dest, '--identity', s.key, '--json'], s.home);
    expect(result(opened)).toMatchObject({ event: 'result', files: 1503, verified: true });
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);

    // Restoring again into the same folder: refused before anything is written, or replaced with --overwrite.
    const again = run(['open', s.drive, '--to', dest, '--identity', s.key, '--json'], s.home);
    expect(result(again)).toMatchObject({ event: 'error', code: 'E_RESTORE_EXISTS' });
    writeFileSync(join(dest, 'mix/d3/small-3.bin'), 'changed');
    const over = run(['open', s.drive, '--to', dest, '--identity', s.key, '--overwrite', '--json'], s.home);
    expect(result(over)).toMatchObject({ event: 'result', files: 1503, verified: true });
    expect(readFileSync(join(dest, 'mix/d3/small-3.bin')).equals(tree['mix/d3/small-3.bin']!)).toBe(true);

    damagePart(s.drive, 1);
    expectDamageStops(s, tree);
  });

  it('stops quietly when the reader of a listing goes away (`scelle list | head`)', async () => {
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 3000; i++) tree[`mix/d${i % 10}/file-with-a-long-name-${i}.txt`] = bytes(i % 50, i);
    const s = sealTree(tree);
    const child = spawn(process.execPath, [bin, 'list', s.drive, '--identity', s.key, '--json'], { env: { ...process.env, SCELLE_HOME: s.home, SCELLE_LANG: 'en' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // 128 + SIGPIPE, as a shell reports a writer stopped by its reader; no stack trace, no error sentence.
    expect(code).toBe(141);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|Error \[/);
    expect(JSON.parse(first.split('\n')[0]!)).toHaveProperty('event');
  });

  it('restores one dominant large file with decryption on a worker, and stops at a damaged segment', () => {
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 20; i++) tree[`mix/small-${i}.bin`] = bytes(1000 + i * 777, 100 + i);
    tree['mix/huge.bin'] = bytes(40 << 20, 7);
    const s = sealTree(tree);
    const dest = tempDir();
    const opened = run(['open', s.drive, '--to', dest, '--identity', s.key, '--json'], s.home);
    expect(result(opened)).toMatchObject({ event: 'result', files: 21, verified: true });
    for (const [rel, content] of Object.entries(tree)) expect(readFileSync(join(dest, rel)).equals(content)).toBe(true);
    damagePart(s.drive, -1);
    expectDamageStops(s, tree);
  });
});

describe('sealed sets: data larger than one drive', () => {
  /** Three files of 200 kB in 64 KiB parts: 10 parts, four to a member. */
  function setSources() {
    const src = tempDir();
    writeTree(src, { 'lot/a.bin': bytes(200_000, 1), 'lot/b.bin': bytes(200_000, 2), 'lot/c/d.bin': bytes(200_000, 3) });
    return join(src, 'lot');
  }
  const memberSize = String(indexAndSlackBytes(6) + 4 * streamCiphertextSize(65536));
  const driveIn = (t: string) =>
    join(
      t,
      readdirSync(t).find((n) => n.startsWith('SCELLE-'))!,
    );

  it('seals onto three drives given with --to, opens them in any order, and says what a withheld member holds (exit 12)', () => {
    const home = tempDir();
    const targets = [tempDir(), tempDir(), tempDir()];
    const sealed = run(['seal', setSources(), ...targets.flatMap((t) => ['--to', t]), '--member-size', memberSize, '--part-size', '64K', '--json'], home);
    expect(sealed.status, sealed.stderr).toBe(0);
    const r = result(sealed) as { unlockCode: string; set: { members: { position: number; driveId: string }[] } };
    expect(r.set.members.map((m) => m.position)).toEqual([1, 2, 3]);
    expect(jsonEvents(sealed.stdout).filter((e) => e.event === 'member')).toHaveLength(3);
    const [a, b, c] = targets.map(driveIn);

    const all = tempDir();
    const opened = run(['open', c!, b!, a!, '--to', all, '--json'], home, `${r.unlockCode}\n`);
    expect(opened.status, opened.stderr).toBe(0);
    expect(result(opened)).toMatchObject({ files: 3, verified: true, set: { present: [1, 2, 3], absent: [] } });
    // Each member present gets the customer's events in its own chain.
    const receipts = jsonEvents(opened.stdout).filter((e) => e.event === 'custody') as { recorded: { type: string; driveId: string }[] }[];
    const opens = receipts.flatMap((e) => e.recorded).filter((ev) => ev.type === 'opened');
    expect(opens.map((ev) => ev.driveId).sort()).toEqual(r.set.members.map((m) => m.driveId).sort());
    expect(opened.stdout).not.toContain('secretKey');
    expect(readFileSync(join(all, 'lot/c/d.bin')).equals(bytes(200_000, 3))).toBe(true);

    const some = tempDir();
    const partial = run(['open', a!, c!, '--to', some, '--lang', 'en'], home, `${r.unlockCode}\n`);
    expect(partial.status).toBe(12);
    expect(partial.stderr).toContain(`Drive 2 of 3 (${r.set.members[1]!.driveId}) not attached`);
    expect(partial.stderr).toMatch(/- lot\/(a|b)\.bin/);
    // list from the members present marks what waits for the absent one.
    const listed = run(['list', c!, a!, '--lang', 'en'], home, `${r.unlockCode}\n`);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/lot\/(a|b)\.bin {2}\(waits for drive 2\)/);

    // Each member verified alone, with the key.
    for (const [i, d] of [a, b, c].entries()) {
      const v = run(['verify', d!, '--code-file', '-', '--json'], home, `${r.unlockCode}\n`);
      expect(v.status, v.stdout).toBe(0);
      expect(result(v)).toMatchObject({ level: 'full', ok: true, set: { present: [i + 1], members: 3 } });
    }
  });

  it('asks for the next drive with --next-drive, reading its folder from standard input', () => {
    const home = tempDir();
    const targets = [tempDir(), tempDir(), tempDir()];
    const sealed = run(
      ['seal', setSources(), '--to', targets[0]!, '--next-drive', '--member-size', memberSize, '--part-size', '64K', '--json'],
      home,
      `${targets[1]}\n${targets[2]}\n`,
    );
    expect(sealed.status, sealed.stderr).toBe(0);
    const asked = jsonEvents(sealed.stdout).filter((e) => e.event === 'next-drive');
    expect(asked.map((e) => e.position)).toEqual([2, 3]);
    expect(result(sealed)).toMatchObject({ set: { members: [{ position: 1 }, { position: 2 }, { position: 3 }] } });
    // No next drive given: cancelled (130), the members sealed so far stay whole drives.
    const again = [tempDir(), tempDir(), tempDir()];
    const src = setSources();
    const stopped = run(['seal', src, '--to', again[0]!, '--next-drive', '--member-size', memberSize, '--part-size', '64K'], home, '\n');
    expect(stopped.status).toBe(130);
    expect(stopped.stderr).toContain('peuvent être débranchés');
    expect(stopped.stderr).toContain('--resume --next-drive');
    expect(readdirSync(driveIn(again[0]!))).toContain('manifest.json');
    // Later, with the next drive at hand: the set goes on from member 2, onto the drives given.
    const resumed = run(['seal', src, '--resume', '--next-drive', '--to', again[1]!, '--json'], home, `${again[2]}\n`);
    expect(resumed.status, resumed.stderr).toBe(0);
    const r = result(resumed) as { unlockCode: string; resumed: boolean; set: { members: { position: number }[] } };
    expect(r).toMatchObject({ resumed: true, set: { members: [{ position: 2 }, { position: 3 }] } });
    // Each member sealed now has its `sealed` event, naming the whole set of three.
    const shown = run(['custody', 'show', driveIn(again[1]!), '--json'], home);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('"members":3');
    const out = tempDir();
    const opened = run(['open', driveIn(again[2]!), driveIn(again[0]!), driveIn(again[1]!), '--to', out, '--json'], home, `${r.unlockCode}\n`);
    expect(opened.status, opened.stderr).toBe(0);
    expect(result(opened)).toMatchObject({ files: 3, verified: true, set: { present: [1, 2, 3], absent: [] } });
  });
});
