// Child process of memory.test.ts, run with a small V8 heap (--max-old-space-size): seals,
// lists, opens one folder of, many folders of and verifies a drive of many entries with the compiled engine,
// and prints one JSON line of what it saw. `set` seals the same entries as a set of two
// members, opens it whole from both and verifies each member alone. `collect` holds every
// entry in memory instead, to show that the heap limit is small enough to break an engine that does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const [mode, paramsFile] = process.argv.slice(2);
const p = JSON.parse(readFileSync(paramsFile, 'utf8'));
const engine = await import(p.engine);
const roots = [Buffer.from(p.rootPublicKey, 'base64')];
const secret = { kind: 'x25519', secretKey: Buffer.from(p.escrowSecretKey, 'base64') };
const heapMb = () => Math.round(process.memoryUsage().heapUsed / 1048576);
let heapPeak = 0;
const sample = setInterval(() => {
  heapPeak = Math.max(heapPeak, heapMb());
}, 20);
const out = { mode };
if (mode === 'collect') {
  const all = await engine.list({ driveDir: p.driveDir, secret, pinnedRoots: roots });
  // Keep them alive with their decoded names, as a flat in-memory index would.
  out.entries = all.entries.length;
  out.kept = all.entries.map((e) => ({ ...e, name: e.path.split('/') }));
} else if (mode === 'set') {
  const station = { ...p.station, secretKey: Buffer.from(p.station.secretKey, 'base64'), publicKey: Buffer.from(p.station.publicKey, 'base64') };
  const sealed = await engine.seal({
    sources: [p.source],
    target: p.setTargets[0],
    station,
    recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: Buffer.from(p.escrowPublicKey, 'base64') }] },
    partPlaintextSize: p.setPartSize,
    set: { more: p.setTargets.slice(1), memberBytes: p.setMemberBytes },
  });
  const members = sealed.set.members;
  out.members = members.map((m) => ({ position: m.position, parts: m.parts, indexComplete: m.indexComplete }));
  const opened = await engine.open({ driveDir: members[1].driveDir, members: [members[0].driveDir], secret, pinnedRoots: roots, dest: p.destSet });
  out.openedSet = { files: opened.files, verified: opened.verified, absent: opened.set.absent.length };
  out.membersVerified = [];
  for (const m of members) {
    const report = await engine.verify({ driveDir: m.driveDir, secret, pinnedRoots: roots });
    out.membersVerified.push({ problems: report.problems.map((x) => x.code) });
  }
} else {
  const station = { ...p.station, secretKey: Buffer.from(p.station.secretKey, 'base64'), publicKey: Buffer.from(p.station.publicKey, 'base64') };
  const sealed = await engine.seal({
    sources: [p.source],
    target: p.target,
    station,
    recipients: { unlockCode: false, x25519: [{ label: 'escrow', publicKey: Buffer.from(p.escrowPublicKey, 'base64') }] },
  });
  out.sealed = { files: sealed.files, parts: sealed.parts };
  out.driveDir = sealed.driveDir;
  let listed = 0;
  for await (const e of engine.listEntries({ driveDir: sealed.driveDir, secret, pinnedRoots: roots })) if (e) listed++;
  out.listed = listed;
  const opened = await engine.open({ driveDir: sealed.driveDir, secret, pinnedRoots: roots, dest: p.dest, paths: [p.folder] });
  out.opened = { files: opened.files, verified: opened.verified };
  // Many folders at once: the selection is folders, never a list of their files.
  const many = await engine.open({ driveDir: sealed.driveDir, secret, pinnedRoots: roots, dest: p.destMany, paths: p.manyFolders });
  out.openedMany = { files: many.files, verified: many.verified };
  const all = await engine.open({ driveDir: sealed.driveDir, secret, pinnedRoots: roots, dest: p.destAll });
  out.openedAll = { files: all.files, verified: all.verified };
  const report = await engine.verify({ driveDir: sealed.driveDir, secret, pinnedRoots: roots });
  out.verified = { ok: report.ok, files: report.files, problems: report.problems.map((x) => x.code) };
  out.indexBytes = JSON.parse(readFileSync(join(sealed.driveDir, 'manifest.json'), 'utf8')).index.size;
}
clearInterval(sample);
out.heapPeakMb = Math.max(heapPeak, heapMb());
delete out.kept;
console.log(JSON.stringify(out));
