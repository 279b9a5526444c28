/**
 * The chain of custody through the command line, in-process through main() with SCELLE_HOME
 * set to a temporary folder: seal → ship → open → erase → custody verify, plus the failure
 * paths (bad tracking numbers, unknown carriers, journal that cannot be written, tampering).
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEXT } from './text.js';
import { CHAIN_PROBLEM_CODES, staticTrust, verifyChain } from '../shared/custody/chain-verify.js';
import { buildTestChain } from '../shared/custody/testing.js';
import { anomalySentence } from './commands/custody.js';
import { Output } from './output.js';
import { CUSTODY_ANOMALY_KINDS } from '../shared/custody/custody-state.js';
import { ERROR_CODES } from '../shared/errors/scelle-error.js';
import { missingErrorSentences } from './messages.js';
import { runCli, type CliRun } from '../test/support/run-cli.js';

const VALID_UPS = '1Z5R89390357567127';
const VALID_UPS_TYPED = '1Z 5R8 939-03 5756 7127';
const BAD_CHECK_UPS = '1Z5R89390357567137';

type Run = CliRun;
const run = (args: string[]) => runCli(args);

function result(r: Run): Record<string, unknown> {
  const res = r.events.find((e) => e['event'] === 'result');
  if (!res) throw new Error(`no result in ${r.stdout} ${r.stderr}`);
  return res;
}

function recordedTypes(r: Run): string[] {
  return r.events.filter((e) => e['event'] === 'custody').flatMap((e) => (e['recorded'] as Array<{ type: string }>).map((x) => x.type));
}

let dir: string;
let savedHome: string | undefined;
let savedLang: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scelle-cli-custody-'));
  savedHome = process.env['SCELLE_HOME'];
  savedLang = process.env['SCELLE_LANG'];
  process.env['SCELLE_HOME'] = join(dir, 'home');
  delete process.env['SCELLE_LANG'];
});

afterEach(() => {
  if (savedHome === undefined) delete process.env['SCELLE_HOME'];
  else process.env['SCELLE_HOME'] = savedHome;
  if (savedLang === undefined) delete process.env['SCELLE_LANG'];
  else process.env['SCELLE_LANG'] = savedLang;
  rmSync(dir, { recursive: true, force: true });
});

/** Seals two small files; returns the drive folder, its id and a file holding the unlock code. */
async function sealSample(base: string): Promise<{ driveDir: string; driveId: string; codeFile: string; target: string; manifestSha256: string }> {
  const src = join(base, 'src');
  mkdirSync(join(src, 'docs'), { recursive: true });
  writeFileSync(join(src, 'docs', 'a.txt'), 'bonjour\n');
  writeFileSync(join(src, 'b.bin'), Buffer.alloc(5000, 7));
  const target = join(base, 'target');
  mkdirSync(target, { recursive: true });
  const r = await run(['seal', src, '--to', target, '--no-escrow', '--json']);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const res = result(r);
  expect(recordedTypes(r)).toEqual(['sealed']);
  const codeFile = join(base, 'code.txt');
  writeFileSync(codeFile, `${String(res['unlockCode'])}\n`, { mode: 0o600 });
  return { driveDir: String(res['driveDir']), driveId: String(res['driveId']), codeFile, target, manifestSha256: String(res['manifestSha256']) };
}

/** Rewrites journal line `lineNo` (1-based) with `edit`, recomputing its checksum when `fixChecksum`. */
function tamperJournal(home: string, lineNo: number, edit: (record: Record<string, unknown>) => void, fixChecksum: boolean): void {
  const file = join(home, 'custody', 'events.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines[lineNo - 1]!;
  const json = line.slice(17);
  const rec = JSON.parse(json) as Record<string, unknown>;
  edit(rec);
  const text = canonicalize(rec)!;
  const sum = fixChecksum ? createHash('sha256').update(text).digest('hex').slice(0, 16) : line.slice(0, 16);
  lines[lineNo - 1] = `${sum} ${text}`;
  writeFileSync(file, lines.join('\n'));
}

describe('scelle custody: the whole life of a drive', () => {
  it('seal → ship → open → erase, then the chain verifies; tampering is reported', async () => {
    const home = process.env['SCELLE_HOME']!;
    const { driveDir, driveId, codeFile, target, manifestSha256 } = await sealSample(dir);

    // ship: a number typed with spaces and dashes is normalized and accepted
    const shipped = await run(['ship', driveDir, '--carrier', 'ups', '--tracking', VALID_UPS_TYPED, '--order', 'CMD-2025-0042', '--json']);
    expect(shipped.code, shipped.stdout + shipped.stderr).toBe(0);
    const sres = result(shipped);
    expect(sres).toMatchObject({ carrier: 'ups', trackingNumber: VALID_UPS, orderRef: 'CMD-2025-0042' });
    expect(String(sres['url'])).toMatch(/^https:\/\/.*ups/);
    expect(recordedTypes(shipped)).toEqual(['shipped']);

    // a wrong check digit is refused, with the reason, in French by default
    const bad = await run(['ship', driveDir, '--carrier', 'ups', '--tracking', BAD_CHECK_UPS]);
    expect(bad.code).toBe(10);
    expect(bad.stderr).toContain('E_CARRIER_INVALID');
    expect(bad.stderr).toContain('chiffre de contrôle');
    const badEn = await run(['ship', driveDir, '--carrier', 'ups', '--tracking', BAD_CHECK_UPS, '--lang', 'en', '--json']);
    expect(badEn.code).toBe(10);
    const err = badEn.events.find((e) => e['event'] === 'error')!;
    expect(err['code']).toBe('E_CARRIER_INVALID');
    expect(String(err['message'])).toContain('check digit');
    expect((err['details'] as Record<string, unknown>)['reason']).toBe('check-digit');

    // an unknown carrier's number: refused without the flag, `--carrier other` alone is not enough
    expect((await run(['ship', driveDir, '--tracking', 'LOCAL-778899'])).code).toBe(10);
    expect((await run(['ship', driveDir, '--carrier', 'other', '--tracking', 'LOCAL-778899'])).code).toBe(2);
    const other = await run(['ship', driveDir, '--other-carrier', 'Messagerie Beauce', '--tracking', 'LOCAL-778899', '--json']);
    expect(other.code, other.stdout + other.stderr).toBe(0);
    expect(other.events.some((e) => e['event'] === 'warning' && e['code'] === 'other-carrier')).toBe(true);
    expect(result(other)).toMatchObject({ carrier: 'other', trackingNumber: 'LOCAL778899', url: null });

    // the station verifies the drive it sealed: `verified` in the provider lineage
    const verified = await run(['verify', driveDir, '--json']);
    expect(verified.code).toBe(0);
    expect(recordedTypes(verified)).toEqual(['verified']);

    // open: received + opened in the customer lineage, signed by the drive-derived key
    const dest = join(dir, 'restored');
    const opened = await run(['open', driveDir, '--to', dest, '--code-file', codeFile, '--json']);
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    expect(recordedTypes(opened)).toEqual(['received', 'opened']);
    expect(opened.stdout).not.toContain(readFileSync(codeFile, 'utf8').trim());
    expect(readFileSync(join(dest, 'src', 'docs', 'a.txt'), 'utf8')).toBe('bonjour\n');
    // opening again records `opened` only
    const again = await run(['open', driveDir, '--to', dest, '--overwrite', '--code-file', codeFile, '--json']);
    expect(recordedTypes(again)).toEqual(['opened']);

    // erase needs a confirmation: without a terminal, --yes is required
    expect(await run(['erase', driveDir, '--code-file', codeFile])).toMatchObject({ code: 2 });
    expect(existsSync(join(driveDir, 'manifest.json'))).toBe(true);
    const recordFile = join(dir, 'sanitization.json');
    const erased = await run(['erase', driveDir, '--code-file', codeFile, '--yes', '--record', recordFile, '--json']);
    expect(erased.code, erased.stdout + erased.stderr).toBe(0);
    expect(recordedTypes(erased)).toEqual(['erased']);
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { sanitization: { performedAt: string }; details: { keyFilesDestroyed: string[]; payloadOverwritten: boolean } };
    expect(record).toMatchObject({
      format: 'scelle-sanitization-record/1',
      standard: 'NIST SP 800-88 Rev. 1',
      driveId,
      manifestSha256,
      sanitization: {
        method: 'purge',
        technique: 'cryptographic-erase',
        media: { type: 'other' },
        tool: { name: expect.stringContaining('Scellé') as unknown, version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown },
        verification: { method: 'full', result: 'pass' },
        performedBy: 'customer',
      },
      custodyEvent: { lineage: 'customer' },
    });
    expect(record.sanitization.performedAt).toMatch(/Z$/);
    expect(record.details.keyFilesDestroyed).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sig', 'index.scx']));
    expect(result(erased)['record']).toEqual(record);
    expect(existsSync(driveDir)).toBe(false);

    // the drive no longer opens
    const reopen = await run(['open', target, '--to', join(dir, 'again'), '--code-file', codeFile, '--json']);
    expect(reopen.code).toBe(3);
    expect(reopen.events.find((e) => e['event'] === 'error')!['code']).toBe('E_FORMAT_MANIFEST');

    // the whole chain verifies
    const check = await run(['custody', 'verify', driveId, '--json']);
    expect(check.code, check.stdout).toBe(0);
    const rep = result(check);
    expect(rep['ok']).toBe(true);
    const events = rep['events'] as Array<{ type: string; seq: number; author: { kind: string }; data: Record<string, unknown>; verification: string }>;
    expect(events.map((e) => `${e.author.kind}:${e.type}:${e.seq}`)).toEqual([
      'station:sealed:0',
      'station:shipped:1',
      'station:shipped:2',
      'station:verified:3',
      'customer:received:0',
      'customer:opened:1',
      'customer:opened:2',
      'customer:erased:3',
    ]);
    expect(events[4]!.data['anchor']).toBe(manifestSha256);
    expect(events.every((e) => e.verification === 'ok')).toBe(true);
    const show = await run(['custody', 'show', driveId]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('expédié');
    expect(show.stdout).toContain('en attente');

    // a journal line edited (checksum recomputed): the chain reports it, exit 3
    tamperJournal(
      home,
      3,
      (rec) => {
        (rec['data'] as Record<string, unknown>)['trackingNumber'] = '1Z5R89390357567135';
      },
      true,
    );
    const tampered = await run(['custody', 'verify', driveId, '--json']);
    expect(tampered.code).toBe(3);
    const codes = (result(tampered)['problems'] as Array<{ code: string; sentence: string }>).map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['bad-signature', 'altered']));
    const human = await run(['custody', 'verify', driveId]);
    expect(human.stdout).toContain('signature invalide');

    // an edited line whose checksum no longer matches: the journal refuses to open, naming the record
    tamperJournal(
      home,
      3,
      (rec) => {
        rec['at'] = '2020-01-01T00:00:00.000Z';
      },
      false,
    );
    const corrupt = await run(['custody', 'verify', driveId, '--json']);
    expect(corrupt.code).toBe(8);
    const cerr = corrupt.events.find((e) => e['event'] === 'error')!;
    expect(cerr['code']).toBe('E_CUSTODY_JOURNAL');
    expect((cerr['details'] as Record<string, unknown>)['record']).toBe(3);
  });

  it('a customer machine records received/opened/erased in the customer lineage only', async () => {
    const { driveDir, driveId, codeFile, manifestSha256 } = await sealSample(dir);
    process.env['SCELLE_HOME'] = join(dir, 'customer-home');
    const v = await run(['verify', driveDir, '--code-file', codeFile, '--json']);
    expect(v.code).toBe(0);
    expect(recordedTypes(v)).toEqual(['received']);
    const o = await run(['open', driveDir, '--to', join(dir, 'out'), '--code-file', codeFile, '--json']);
    expect(recordedTypes(o)).toEqual(['opened']);
    const media = await run(['verify', driveDir, '--json']);
    expect(media.code).toBe(0);
    expect(recordedTypes(media)).toEqual([]);
    // --as-station needs a station key, which a customer machine does not have
    expect((await run(['erase', driveDir, '--as-station', '--yes'])).code).toBe(4);
    const e = await run(['erase', driveDir, '--code-file', codeFile, '--yes', '--overwrite', '--json']);
    expect(e.code, e.stdout + e.stderr).toBe(0);
    const rec = result(e)['record'] as { sanitization: unknown; details: { payloadOverwritten: boolean } };
    expect(rec.sanitization).toMatchObject({ method: 'clear', technique: 'overwrite', verification: { result: 'pass' } });
    expect(rec.details.payloadOverwritten).toBe(true);
    const show = await run(['custody', 'show', driveId, '--json']);
    const events = result(show)['events'] as Array<{ type: string; author: { kind: string }; data: Record<string, unknown> }>;
    expect(events.map((x) => x.type)).toEqual(['received', 'opened', 'erased']);
    expect(events.every((x) => x.author.kind === 'customer')).toBe(true);
    expect(events[0]!.data['anchor']).toBe(manifestSha256);
    // without the sealed event (no service configured), the provider lineage is "not yet known", not a failure
    const pending = await run(['custody', 'verify', driveId, '--json']);
    expect(pending.code, pending.stdout + pending.stderr).toBe(0);
    expect(result(pending)).toMatchObject({ ok: false, status: 'warning', providerLineage: 'not-yet-known', service: 'none' });
    expect((result(pending)['events'] as Array<{ attestation: string }>).map((x) => x.attestation)).toEqual(['unknown', 'unknown', 'unknown']);
    expect((await run(['custody', 'verify', driveId])).stdout).toContain('pas encore connue ici');
  });

  it('a customer key: keygen customer, seal --customer, and only that key signs the receipts', async () => {
    const customerHome = join(dir, 'customer-home');
    const stationHome = process.env['SCELLE_HOME']!;
    process.env['SCELLE_HOME'] = customerHome;
    const kg = await run(['keygen', 'customer', '--json']);
    expect(kg.code, kg.stdout + kg.stderr).toBe(0);
    const keyFile = join(customerHome, 'customer.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const publicKey = String(result(kg)['publicKey']);
    expect(readFileSync(keyFile, 'utf8')).not.toContain('undefined');

    // the provider seals for the customer's public key (the .pub file or its 44 characters)
    process.env['SCELLE_HOME'] = stationHome;
    const src = join(dir, 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'bonjour\n');
    mkdirSync(join(dir, 'target'));
    const sealed = await run(['seal', src, '--to', join(dir, 'target'), '--no-escrow', '--customer', publicKey, '--json']);
    expect(sealed.code, sealed.stdout + sealed.stderr).toBe(0);
    const driveDir = String(result(sealed)['driveDir']);
    const driveId = String(result(sealed)['driveId']);
    const codeFile = join(dir, 'code.txt');
    writeFileSync(codeFile, `${String(result(sealed)['unlockCode'])}\n`, { mode: 0o600 });
    const stationShow = result(await run(['custody', 'show', driveId, '--json']))['events'] as Array<{ data: Record<string, unknown> }>;
    expect(stationShow[0]!.data).toMatchObject({ customerPublicKey: publicKey, customerAttestation: 'customer-key' });

    // an insider with the unlock code (hence the data key) cannot sign as this customer: nothing is recorded
    process.env['SCELLE_HOME'] = join(dir, 'insider-home');
    const insider = await run(['open', driveDir, '--to', join(dir, 'insider-out'), '--code-file', codeFile, '--json']);
    expect(insider.code, insider.stdout + insider.stderr).toBe(0);
    expect(recordedTypes(insider)).toEqual([]);
    const insiderVerify = await run(['verify', driveDir, '--code-file', codeFile]);
    expect(insiderVerify.stdout + insiderVerify.stderr).toContain('scellé pour une clé client que ce poste n’a pas');

    // the customer opens with their key alone (no unlock code) and signs with it
    process.env['SCELLE_HOME'] = customerHome;
    const v = await run(['verify', driveDir, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(result(v)['level']).toBe('full');
    expect(recordedTypes(v)).toEqual(['received']);
    const o = await run(['open', driveDir, '--to', join(dir, 'out'), '--json']);
    expect(o.code, o.stdout + o.stderr).toBe(0);
    expect(result(o)['files']).toBe(1);
    expect(recordedTypes(o)).toEqual(['opened']);
    const customerShow = result(await run(['custody', 'show', driveId, '--json']))['events'] as Array<{ author: { publicKey: string } }>;
    expect(customerShow.every((e) => e.author.publicKey === publicKey)).toBe(true);

    // the station's copy and the customer's, together: customer-attested
    const signedOnly = (e: object) =>
      Object.fromEntries(Object.entries(e).filter(([k]) => ['v', 'id', 'driveId', 'seq', 'prev', 'type', 'at', 'author', 'data', 'sig'].includes(k)));
    const all = [...stationShow, ...customerShow].map(signedOnly);
    const stationKey = (stationShow[0] as unknown as { author: { publicKey: string } }).author.publicKey;
    const report = verifyChain(all, staticTrust({ stations: [stationKey] }), { checkOrder: false });
    expect(report.problems).toEqual([]);
    expect(report.events.filter((e) => e.lineage === 'customer').map((e) => e.attestation)).toEqual(['customer-key', 'customer-key']);

    // a customer key readable by others is refused, like ssh
    chmodSync(keyFile, 0o644);
    const loose = await run(['verify', driveDir, '--json']);
    expect(loose.code).not.toBe(0);
    expect(loose.events.find((e) => e['event'] === 'error')).toMatchObject({ code: 'E_KEY_FILE' });
  });

  it('a station erases with its own key (--as-station): erased in the provider lineage', async () => {
    const { driveDir, driveId } = await sealSample(dir);
    const e = await run(['erase', driveDir, '--as-station', '--yes', '--json', '--performed-by', 'staff:erasure', '--media-type', 'flash']);
    expect(e.code, e.stdout + e.stderr).toBe(0);
    expect(result(e)['record']).toMatchObject({ sanitization: { performedBy: 'staff:erasure', media: { type: 'flash' } }, custodyEvent: { lineage: 'provider', seq: 1 } });
    expect((await run(['custody', 'verify', driveId])).code).toBe(0);
  });

  it('a journal that cannot be written never hides that the seal succeeded', async () => {
    const home = process.env['SCELLE_HOME']!;
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'custody'), 'not a folder');
    const src = join(dir, 's');
    mkdirSync(src);
    writeFileSync(join(src, 'x.txt'), 'x');
    mkdirSync(join(dir, 't'));
    const r = await run(['seal', src, '--to', join(dir, 't'), '--no-escrow', '--json']);
    expect(r.code).toBe(8);
    expect(result(r)['driveId']).toBeTruthy();
    const w = r.events.find((e) => e['event'] === 'warning' && e['code'] === 'custody-not-recorded')!;
    expect(w['errorCode']).toBe('E_CUSTODY_JOURNAL');
    expect(String(w['message'])).toContain('l’opération a réussi');
    const human = await run(['seal', src, '--to', join(dir, 't'), '--no-escrow', '--lang', 'en']);
    expect(human.code).toBe(8);
    expect(human.stdout).toContain('Drive sealed');
    expect(human.stderr).toContain('the operation succeeded');
  });

  it('custody sync while offline keeps the events queued (exit 9)', async () => {
    const { driveId } = await sealSample(dir);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'secret-token-value\n', { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    const key = Buffer.alloc(32, 1).toString('base64');
    const cfg = await run(['custody', 'config', '--service', 'http://127.0.0.1:9', '--token-file', tokenFile, '--service-key', key]);
    expect(cfg.code).toBe(0);
    expect(readFileSync(join(process.env['SCELLE_HOME']!, 'custody.json'), 'utf8')).not.toContain('secret-token-value');
    const r = await run(['custody', 'sync', '--attempts', '1', '--json']);
    expect(r.code).toBe(9);
    const err = r.events.find((e) => e['event'] === 'error')!;
    expect(err['code']).toBe('E_CUSTODY_OFFLINE');
    expect((err['details'] as Record<string, unknown>)['pending']).toBe(1);
    expect(r.stdout).not.toContain('secret-token-value');
    const show = await run(['custody', 'show', driveId, '--json']);
    expect((result(show)['events'] as Array<{ sync: string }>)[0]!.sync).toBe('pending');
  });
});

describe('custody anomalies in the CLI', () => {
  it('says each anomaly in French by default and in English, naming the event', () => {
    const c = buildTestChain('D-CLI-ANOMALY');
    const events = [c.provider[0]!, c.provider[1]!, ...c.customerEvents];
    const report = verifyChain(events, staticTrust({ stations: [c.station.author.publicKey], staff: [c.staff.author.publicKey] }));
    expect(report.anomalies.map((a) => a.kind)).toEqual(['received-before-shipped', 'opened-before-shipped']);
    const fr = new Output('fr', false);
    const en = new Output('en', false);
    expect(anomalySentence(fr, report.anomalies[0]!, events)).toMatch(/^anomalie : réception inscrite avant toute expédition \(.+#0.+\)$/);
    expect(anomalySentence(en, report.anomalies[1]!, events)).toMatch(/^anomaly: opening recorded before any shipment \(.+#1.+\)$/);
  });
});

describe('cli text parity', () => {
  it('has every text key in both languages and a sentence for every chain problem and error code', () => {
    expect(Object.keys(TEXT.en).sort()).toEqual(Object.keys(TEXT.fr).sort());
    for (const c of CHAIN_PROBLEM_CODES) {
      expect(TEXT.fr).toHaveProperty(`cp_${c}`);
      expect(TEXT.en).toHaveProperty(`cp_${c}`);
    }
    for (const k of CUSTODY_ANOMALY_KINDS) {
      expect(TEXT.fr).toHaveProperty(`an_${k.replaceAll('-', '_')}`);
      expect(TEXT.en).toHaveProperty(`an_${k.replaceAll('-', '_')}`);
    }
    const mine = ['E_CARRIER_INVALID', 'E_CUSTODY_CHAIN', 'E_CUSTODY_SIGNATURE', 'E_CUSTODY_JOURNAL', 'E_CUSTODY_SYNC', 'E_CUSTODY_OFFLINE'] as const;
    expect(missingErrorSentences(mine)).toEqual([]);
    expect(ERROR_CODES).toContain('E_CUSTODY_OFFLINE');
  });
});
