/**
 * The database schema, as ordered migrations shared by SQLite and PostgreSQL. Table and index
 * statements are one text for both engines (TEXT and BIGINT only); the only per-engine part is
 * the trigger syntax that makes custody tables append-only, which SQL cannot express portably.
 *
 * Append-only tables (UPDATE, DELETE and, on PostgreSQL, TRUNCATE refused by triggers):
 * `events`, `merkle_nodes`, `checkpoints`, `audit_log`, `incidents`, `drive_handoffs`, `revocation_lists`, `set_members`,
 * `station_certificates`. Mutable tables: `tokens` and
 * `signing_keys` (revocation sets `revoked_at`), `personal_records` (deleted by retention or on
 * request; events only reference them by opaque id), `tree_state` (one row, the tree size).
 */
import { ScelleError } from '../../shared/errors/scelle-error.js';
import type { Db } from './driver.js';

/** One schema migration. */
export interface Migration {
  /** Increasing, never reused. */
  readonly id: number;
  readonly name: string;
  /** Statements for both engines. */
  readonly common: readonly string[];
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

/** Tables whose rows can never be changed or deleted once written. */
export const APPEND_ONLY_TABLES = [
  'events',
  'merkle_nodes',
  'checkpoints',
  'audit_log',
  'incidents',
  'drive_handoffs',
  'revocation_lists',
  'set_members',
  'station_certificates',
] as const;

const sqliteAppendOnly = (t: string): string[] => [
  `CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, 'append-only table ${t}'); END`,
  `CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, 'append-only table ${t}'); END`,
];
const postgresAppendOnly = (t: string): string[] => [
  `CREATE TRIGGER ${t}_no_change BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION scelle_append_only()`,
  `CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION scelle_append_only()`,
];

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'custody core',
    common: [
      `CREATE TABLE tree_state (id BIGINT PRIMARY KEY, size BIGINT NOT NULL)`,
      `INSERT INTO tree_state (id, size) VALUES (1, 0)`,
      `CREATE TABLE events (
        id TEXT PRIMARY KEY,
        event_hash TEXT NOT NULL UNIQUE,
        drive_id TEXT NOT NULL,
        lineage TEXT NOT NULL,
        seq BIGINT NOT NULL,
        prev TEXT,
        type TEXT NOT NULL,
        author_kind TEXT NOT NULL,
        author_id TEXT NOT NULL,
        at TEXT NOT NULL,
        body TEXT NOT NULL,
        tracking_number TEXT,
        order_ref TEXT,
        leaf_index BIGINT NOT NULL UNIQUE,
        received_at TEXT NOT NULL,
        receipt_key_id TEXT NOT NULL,
        receipt_signature TEXT NOT NULL,
        UNIQUE (drive_id, lineage, seq)
      )`,
      `CREATE INDEX events_tracking ON events (tracking_number)`,
      `CREATE INDEX events_order ON events (order_ref)`,
      `CREATE TABLE merkle_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (level, idx))`,
      `CREATE TABLE checkpoints (tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL, timestamp TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL)`,
      `CREATE TABLE signing_keys (
        public_key TEXT PRIMARY KEY,
        author_kind TEXT NOT NULL,
        author_id TEXT NOT NULL,
        certificate TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        enrolled_by TEXT NOT NULL,
        revoked_at TEXT,
        revoked_reason TEXT
      )`,
      `CREATE INDEX signing_keys_author ON signing_keys (author_id)`,
      `CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        subject TEXT,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      )`,
      `CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        token_id TEXT,
        role TEXT,
        action TEXT NOT NULL,
        query TEXT NOT NULL,
        result_count BIGINT NOT NULL
      )`,
      `CREATE INDEX audit_log_at ON audit_log (at)`,
      `CREATE TABLE personal_records (
        order_ref TEXT PRIMARY KEY,
        drive_id TEXT,
        name TEXT,
        contact TEXT,
        address TEXT,
        created_at TEXT NOT NULL,
        delete_after TEXT NOT NULL
      )`,
      `CREATE INDEX personal_records_delete_after ON personal_records (delete_after)`,
    ],
    sqlite: [...['events', 'merkle_nodes', 'checkpoints', 'audit_log'].flatMap(sqliteAppendOnly)],
    postgres: [
      `CREATE FUNCTION scelle_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'append-only table %', TG_TABLE_NAME USING ERRCODE = '42501'; END $$`,
      ...['events', 'merkle_nodes', 'checkpoints', 'audit_log'].flatMap(postgresAppendOnly),
    ],
  },
  {
    id: 2,
    name: 'token expiry, cancellation date and incident register',
    common: [
      // NULL for tokens created before this migration: they expire DEFAULT_TOKEN_TTL after created_at.
      `ALTER TABLE tokens ADD COLUMN expires_at TEXT`,
      `ALTER TABLE personal_records ADD COLUMN cancelled_at TEXT`,
      // Law 25 incident register: one row per drive reported lost (opened by ingest).
      `CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        drive_id TEXT NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        reported_at TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        reported_by TEXT NOT NULL
      )`,
      `CREATE INDEX incidents_drive ON incidents (drive_id)`,
    ],
    sqlite: [...sqliteAppendOnly('incidents')],
    postgres: [...postgresAppendOnly('incidents')],
  },
  {
    // id 9 (not 2): migrations of other branches may take the next small ids; ids only need to be unique and increasing.
    id: 9,
    name: 'drive ownership handoffs',
    common: [
      `CREATE TABLE drive_handoffs (
        id TEXT PRIMARY KEY,
        drive_id TEXT NOT NULL,
        from_station TEXT NOT NULL,
        to_station TEXT NOT NULL,
        at TEXT NOT NULL,
        by_role TEXT NOT NULL,
        by_token TEXT NOT NULL,
        statement TEXT,
        public_key TEXT,
        signature TEXT
      )`,
      `CREATE INDEX drive_handoffs_drive ON drive_handoffs (drive_id, at)`,
    ],
    sqlite: sqliteAppendOnly('drive_handoffs'),
    postgres: postgresAppendOnly('drive_handoffs'),
  },
  {
    // id 10: ids of other branches' migrations may fall between; they only need to be unique and increasing.
    id: 10,
    name: 'revocation lists',
    common: [
      `CREATE TABLE revocation_lists (
        sequence BIGINT PRIMARY KEY,
        issued_at TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        body TEXT NOT NULL
      )`,
    ],
    sqlite: sqliteAppendOnly('revocation_lists'),
    postgres: postgresAppendOnly('revocation_lists'),
  },
  {
    // id 20: left apart from other branches' next ids; ids only need to be unique and increasing.
    id: 20,
    name: 'station certificates issued by the service',
    common: [
      `CREATE TABLE station_certificates (
        certificate_sha256 TEXT PRIMARY KEY,
        station_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        issuing_sha256 TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        body TEXT NOT NULL
      )`,
      `CREATE INDEX station_certificates_key ON station_certificates (public_key, expires_at)`,
    ],
    sqlite: sqliteAppendOnly('station_certificates'),
    postgres: postgresAppendOnly('station_certificates'),
  },
  {
    // id 30: left apart from other branches' next ids; ids only need to be unique and increasing.
    id: 30,
    name: 'sealed sets',
    common: [
      // One row per stored `sealed` event that names a set (sealed.data.set): what that member's
      // event says of the set and of what it holds (counts and bytes only). A drive has one
      // sealed event, hence at most one row.
      `CREATE TABLE set_members (
        drive_id TEXT PRIMARY KEY,
        set_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        members BIGINT NOT NULL,
        drive_ids TEXT NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        leaf_index BIGINT NOT NULL,
        parts BIGINT NOT NULL,
        tar_bytes BIGINT NOT NULL,
        files BIGINT,
        bytes BIGINT,
        recorded_at TEXT NOT NULL
      )`,
      `CREATE INDEX set_members_set ON set_members (set_id, leaf_index)`,
      // The incident register names the set, the member's position and what the drive held.
      `ALTER TABLE incidents ADD COLUMN set_id TEXT`,
      `ALTER TABLE incidents ADD COLUMN set_position BIGINT`,
      `ALTER TABLE incidents ADD COLUMN set_members BIGINT`,
      `ALTER TABLE incidents ADD COLUMN held_parts BIGINT`,
      `ALTER TABLE incidents ADD COLUMN held_tar_bytes BIGINT`,
      `ALTER TABLE incidents ADD COLUMN held_files BIGINT`,
      `ALTER TABLE incidents ADD COLUMN held_bytes BIGINT`,
    ],
    sqlite: sqliteAppendOnly('set_members'),
    postgres: postgresAppendOnly('set_members'),
  },
];

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own
 * transaction. Safe to call on every start and concurrently from several processes on
 * PostgreSQL (an advisory lock serializes them).
 * @returns the ids of the migrations applied now.
 * @throws ScelleError E_SERVER_DATABASE if a migration fails (it is rolled back).
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7265636)');
      const rows = await tx.query('SELECT id FROM schema_migrations WHERE id = ?', [m.id]);
      if (rows.length > 0) return false;
      for (const sql of [...m.common, ...(db.engine === 'sqlite' ? m.sqlite : m.postgres)]) await tx.exec(sql);
      await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [m.id, m.name, new Date().toISOString()]);
      return true;
    });
    if (done) applied.push(m.id);
  }
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new ScelleError('E_SERVER_DATABASE', 'duplicate migration id');
  return applied;
}
