/**
 * Explicit, versioned changes to the SQLite schema of an existing data
 * directory. `SCHEMA` (sqlite-store.ts) creates the tables of version 1, the
 * first release; each migration here moves a database one version on, in one
 * transaction with the version it records, so a database is never half
 * migrated and a newer one is never opened by older code by mistake.
 */
import Database from 'better-sqlite3';

interface Migration {
  version: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  // Ownership: the Terraform resource that manages each object. Objects written before have no manager:
  // callers without a manager id (direct admin users, Terraform state written before) keep changing them;
  // `terraform import` gives them one.
  {
    version: 2,
    sql: `ALTER TABLE objects ADD COLUMN manager TEXT;
          ALTER TABLE objects ADD COLUMN manager_label TEXT;
          ALTER TABLE objects ADD COLUMN managed_since TEXT;`,
  },
  // Admin tokens with roles: the audit actor is the token's name; what a caller says of itself (x-actor)
  // is kept beside it, unverified.
  { version: 3, sql: 'ALTER TABLE audit ADD COLUMN actor_note TEXT;' },
  // Every change of a client secret counts in meta 'secrets', so that one read of the token endpoint's inputs
  // version (tokenInputsVersion) tells whether what it keeps still holds. Triggers: no writer can forget it.
  {
    version: 4,
    sql: `INSERT OR IGNORE INTO meta (name, value) VALUES ('secrets', '0');
          CREATE TRIGGER IF NOT EXISTS client_secrets_inserted AFTER INSERT ON client_secrets
            BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'secrets'; END;
          CREATE TRIGGER IF NOT EXISTS client_secrets_updated AFTER UPDATE ON client_secrets
            BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'secrets'; END;
          CREATE TRIGGER IF NOT EXISTS client_secrets_deleted AFTER DELETE ON client_secrets
            BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'secrets'; END;`,
  },
  // The clients the control plane created on a downstream server (DownstreamClientStore).
  {
    version: 5,
    sql: `CREATE TABLE IF NOT EXISTS downstream_clients (
            downstream TEXT NOT NULL, client_id TEXT NOT NULL, remote_id TEXT NOT NULL, state TEXT NOT NULL, pushed TEXT NOT NULL,
            PRIMARY KEY (downstream, client_id)) WITHOUT ROWID;`,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const row = db.prepare(`SELECT value FROM meta WHERE name = 'schema_version'`).get() as { value: string } | undefined;
    const current = row ? Number(row.value) : 1;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `the data directory's store is at schema version ${current}, newer than this server's ${SCHEMA_VERSION}: ` +
          'run the newer release of procurement-scopes on it',
      );
    }
    for (const migration of MIGRATIONS.filter(m => m.version > current)) db.exec(migration.sql);
    db.prepare(`INSERT INTO meta (name, value) VALUES ('schema_version', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`).run(
      String(SCHEMA_VERSION),
    );
  }).immediate();
}
