import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../testing.js';
import type { Db } from './driver.js';
import { APPEND_ONLY_TABLES, MIGRATIONS, migrate } from './migrations.js';

for (const engine of testEngines()) {
  const suite = engine.skipReason ? describe.skip : describe;
  suite(`query layer and migrations on ${engine.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await engine.open());
    });
    afterAll(async () => {
      await drop?.();
    });

    it('applies every migration once; running again is a no-op', async () => {
      expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.id));
      expect(await migrate(db)).toEqual([]);
      const rows = await db.query('SELECT id FROM schema_migrations');
      expect(rows.map((r) => Number(r['id']))).toEqual(MIGRATIONS.map((m) => m.id));
    });

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await db.transaction(async (tx) => {
        await tx.run(`INSERT INTO personal_records (order_ref, created_at, delete_after) VALUES (?, ?, ?)`, ['ok', 'a', 'b']);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.run(`INSERT INTO personal_records (order_ref, created_at, delete_after) VALUES (?, ?, ?)`, ['rolled-back', 'a', 'b']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const refs = (await db.query('SELECT order_ref FROM personal_records ORDER BY order_ref')).map((r) => r['order_ref']);
      expect(refs).toEqual(['ok']);
    });

    it('serializes concurrent transactions (no lost update)', async () => {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const size = Number((await tx.query(`SELECT size FROM tree_state WHERE id = 1${db.forUpdate}`))[0]?.['size']);
            await new Promise((r) => setTimeout(r, 1));
            await tx.run('UPDATE tree_state SET size = ? WHERE id = 1', [size + 1]);
          }),
        ),
      );
      expect(Number((await db.query('SELECT size FROM tree_state WHERE id = 1'))[0]?.['size'])).toBe(20);
    });

    it('reports unique violations and refuses changes to append-only tables', async () => {
      await expect(db.run(`INSERT INTO personal_records (order_ref, created_at, delete_after) VALUES (?, ?, ?)`, ['ok', 'a', 'b'])).rejects.toMatchObject({
        code: 'E_SERVER_DATABASE',
      });
      await db.run(`INSERT INTO audit_log (id, at, action, query, result_count) VALUES (?, ?, ?, ?, ?)`, ['a1', '2025-01-01T00:00:00.000Z', 'x', '{}', 0]);
      await db.run(`INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)`, [0, 0, 'ab']);
      await db.run(`INSERT INTO checkpoints (tree_size, root_hash, timestamp, key_id, signature) VALUES (?, ?, ?, ?, ?)`, [1, 'ab', 't', 'k', 's']);
      await db.run(`INSERT INTO events (id, event_hash, drive_id, lineage, seq, type, author_kind, author_id, at, body, leaf_index, received_at, receipt_key_id, receipt_signature)
        VALUES ('e1', 'h1', 'D', 'provider', 0, 'sealed', 'station', 's', 't', '{}', 0, 't', 'k', 's')`);
      await db.run(`INSERT INTO drive_handoffs (id, drive_id, from_station, to_station, at, by_role, by_token) VALUES ('h1', 'D', 's', 't', 't', 'admin', 'k')`);
      await db.run(`INSERT INTO revocation_lists (sequence, issued_at, stored_at, body) VALUES (1, 't', 't', '{}')`);
      await db.run(`INSERT INTO incidents (id, drive_id, event_id, kind, reported_at, opened_at, reported_by) VALUES ('i1', 'D', 'e1', 'lost', 't', 't', 's')`);
      await db.run(`INSERT INTO set_members (drive_id, set_id, position, members, drive_ids, event_id, leaf_index, parts, tar_bytes, recorded_at)
        VALUES ('D', 'S', 1, 2, '["D","E"]', 'e1', 0, 1, 10, 't')`);
      await db.run(
        `INSERT INTO station_certificates (certificate_sha256, station_id, public_key, issued_at, expires_at, issuing_sha256, issued_by, body) VALUES ('c1', 's', 'k', 't', 't', 'i', 'tok', '{}')`,
      );
      for (const t of APPEND_ONLY_TABLES) await expect(db.run(`DELETE FROM ${t}`)).rejects.toThrow(/append-only/);
      await expect(db.run(`UPDATE audit_log SET action = 'y'`)).rejects.toThrow(/append-only/);
    });
  });
}
