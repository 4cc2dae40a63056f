/**
 * The PostgreSQL schema, as versioned migrations run at every start: each
 * moves a database one version on, in one transaction with the version it
 * records, so a database is never half migrated and a newer one is never
 * opened by older code by mistake. The numbering is PostgreSQL's own (the
 * SQLite store's is in migrations.ts): version 1 is the first release with a
 * PostgreSQL store and holds everything the SQLite store had by then. A
 * feature that adds tables to the SQLite store adds them here as the next
 * version.
 *
 * Several instances may start together on one database: the migration runs
 * under a transaction-scoped advisory lock, so the second instance waits,
 * then finds the schema current and does nothing.
 */
import type { Pool } from 'pg';

interface Migration {
  version: number;
  sql: string;
}

// Keys, kinds and client ids sort bytewise (COLLATE "C"), as in SQLite: list pages, snapshots and the
// keyset cursors then come out in the same order whatever locale the cluster was created with.
const MIGRATIONS: readonly Migration[] = [
  // Objects with their managers, hashed client secrets, audit (with the caller's note), usage, the policy
  // record, named admin tokens, the server's own keys and the token signing keys: the SQLite store's tables at its schema version 3.
  {
    version: 1,
    sql: `
CREATE TABLE objects (
  kind TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, value TEXT NOT NULL, version BIGINT NOT NULL,
  manager TEXT, manager_label TEXT, managed_since TEXT,
  PRIMARY KEY (kind, key));
CREATE TABLE client_secrets (client_id TEXT COLLATE "C" PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE audit (
  id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, actor_note TEXT, action TEXT NOT NULL,
  kind TEXT, key TEXT, before TEXT, after TEXT,
  client_id TEXT, requested_scopes TEXT, granted_scopes TEXT, reason TEXT);
CREATE INDEX audit_kind_key ON audit (kind, key);
CREATE INDEX audit_client ON audit (client_id);
CREATE TABLE usage (
  client_id TEXT COLLATE "C" NOT NULL, scope TEXT COLLATE "C" NOT NULL, last_used_at TEXT NOT NULL,
  PRIMARY KEY (client_id, scope));
CREATE TABLE policy (
  id INTEGER PRIMARY KEY CHECK (id = 1), environment TEXT NOT NULL, document TEXT, version INTEGER NOT NULL);
CREATE TABLE admin_tokens (
  name TEXT COLLATE "C" PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,
  created_at TEXT NOT NULL, created_by TEXT, revoked_at TEXT);
CREATE TABLE server_keys (name TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE signing_key_set (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
CREATE TABLE signing_keys (
  kid TEXT COLLATE "C" PRIMARY KEY, private_jwk TEXT NOT NULL, created_at TEXT NOT NULL, activates_at TEXT NOT NULL, remove_at TEXT);
INSERT INTO meta (name, value) VALUES ('revision', '0');
`,
  },
  // Refused token and introspection requests counted per minute (refusal-counter.ts), and the index audit retention prunes by.
  {
    version: 2,
    sql: `
CREATE TABLE refusal_counts (
  minute TEXT COLLATE "C" NOT NULL, endpoint TEXT COLLATE "C" NOT NULL, client_id TEXT COLLATE "C" NOT NULL,
  source TEXT COLLATE "C" NOT NULL, reason TEXT COLLATE "C" NOT NULL, count BIGINT NOT NULL,
  PRIMARY KEY (minute, endpoint, client_id, source, reason));
CREATE INDEX audit_at ON audit (at);
`,
  },
  // Every change of a client secret counts in meta 'secrets' (see the SQLite store's migration 4).
  {
    version: 3,
    sql: `
INSERT INTO meta (name, value) VALUES ('secrets', '0') ON CONFLICT (name) DO NOTHING;
CREATE FUNCTION count_secret_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text WHERE name = 'secrets';
  RETURN NULL;
END $$;
CREATE TRIGGER client_secrets_changed AFTER INSERT OR UPDATE OR DELETE ON client_secrets
  FOR EACH STATEMENT EXECUTE FUNCTION count_secret_change();
`,
  },
  // The clients the control plane created on a downstream server (the SQLite store's migration 5).
  {
    version: 4,
    sql: `
CREATE TABLE downstream_clients (
  downstream TEXT COLLATE "C" NOT NULL, client_id TEXT COLLATE "C" NOT NULL, remote_id TEXT NOT NULL, state TEXT NOT NULL, pushed TEXT NOT NULL,
  PRIMARY KEY (downstream, client_id));
`,
  },
];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Any constant both instances agree on: the advisory lock that serializes migrations. */
const MIGRATION_LOCK = 7_316_001;

export async function migratePostgres(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS meta (name TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL)');
    const row = (await client.query<{ value: string }>(`SELECT value FROM meta WHERE name = 'schema_version'`)).rows[0];
    const current = row ? Number(row.value) : 0;
    if (current > PG_SCHEMA_VERSION) {
      throw new Error(
        `the PostgreSQL store is at schema version ${current}, newer than this server's ${PG_SCHEMA_VERSION}: ` +
          'run the newer release of procurement-scopes on it',
      );
    }
    for (const migration of MIGRATIONS.filter(m => m.version > current)) await client.query(migration.sql);
    await client.query(
      `INSERT INTO meta (name, value) VALUES ('schema_version', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      [String(PG_SCHEMA_VERSION)],
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
