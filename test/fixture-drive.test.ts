// The committed worked example of docs/FORMAT.md §10 must keep opening: it pins the format.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { open, verify, list } from '../shared/engine/index.js';
import { readEscrowKeyFile, readPublicKeyFile } from '../shared/format/key-files.js';
import { tempDir } from './support/engine-fixtures.js';

const fixture = fileURLToPath(new URL('./fixtures/drive-v1/', import.meta.url));
const driveDir = join(
  fixture,
  readdirSync(fixture).find((n) => n.startsWith('SCELLE-'))!,
);
const unlockCode = readFileSync(join(fixture, 'unlock-code.txt'), 'utf8').trim();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('committed fixture drive (docs/FORMAT.md §10)', () => {
  it('verifies fully, certified by its root, and lists the expected entries', async () => {
    const root = await readPublicKeyFile(join(fixture, 'keys/root.pub'), 'root');
    // git keeps no 0600 mode, and secret key files readable by others are refused: read a private copy.
    const escrowCopy = join(tempDir('fixture-escrow-'), 'escrow.key');
    copyFileSync(join(fixture, 'keys/escrow.key'), escrowCopy);
    chmodSync(escrowCopy, 0o600);
    const escrow = await readEscrowKeyFile(escrowCopy);
    const report = await verify({ driveDir, pinnedRoots: [root], secret: { kind: 'x25519', secretKey: escrow.secretKey } });
    expect(report).toMatchObject({ ok: true, level: 'full', files: 4, bytes: 150087, station: { id: 'fixture-station-1', certified: true } });
    const { entries } = await list({ driveDir, pinnedRoots: [root], secret: { kind: 'x25519', secretKey: escrow.secretKey } });
    // Index (and tar) order: the block of sous-dossier, then echantillon's own children by name, then the top level.
    expect(entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      'file:echantillon/sous-dossier/donnees.bin',
      'symlink:echantillon/sous-dossier/lien',
      'file:echantillon/bonjour.txt',
      'directory:echantillon/sous-dossier',
      'file:echantillon/vide.txt',
      'file:echantillon/été — notes.md',
      'directory:echantillon',
    ]);
    expect(entries.find((e) => e.path === 'echantillon')).toMatchObject({ entries: 6, files: 4, bytes: 150087 });
  });

  it('opens with its unlock code, restoring byte-exact content', async () => {
    const dest = tempDir();
    const res = await open({ driveDir, dest, pinnedRoots: [], secret: { kind: 'unlock-code', code: unlockCode } });
    expect(res).toMatchObject({ files: 4, bytes: 150087, verified: true });
    expect(readFileSync(join(dest, 'echantillon/bonjour.txt'), 'utf8')).toBe('Bonjour de Scellé!\nHello from Scellé!\n');
    const big = readFileSync(join(dest, 'echantillon/sous-dossier/donnees.bin'));
    expect(big.length).toBe(150000);
    expect(sha(big)).toBe('deb023c9b53cd3b2cc4342d3107dc48ef874ad97a3769227d857810774e29c44');
    expect(readlinkSync(join(dest, 'echantillon/sous-dossier/lien'))).toBe('../bonjour.txt');
    expect(readFileSync(join(dest, 'echantillon/été — notes.md'), 'utf8')).toContain('àâçéèêëîïôûùüÿ');
  });

  it('is uncertified for a machine that does not pin its root', async () => {
    const report = await verify({ driveDir, pinnedRoots: [] });
    expect(report.ok).toBe(true);
    expect(report.station).toMatchObject({ certified: false, reason: 'unknown-root' });
  });
});
