/**
 * The store's schema: ONE migration history for both dialects, run at every
 * start. Each step moves a database one version on, in one transaction with
 * the version it records (meta 'schema_version'), so a database is never half
 * migrated and a newer one is never opened by older code by mistake.
 *
 * To change the schema, append a step to MIGRATIONS with the next version
 * (never edit a step that has shipped: databases have run it). Write it once
 * in SQL both dialects take, with the `Ddl` words where they differ (a key
 * column's type, a table's storage); a table for a new feature is simply
 * `CREATE TABLE`. Then read and write it in sql-store.ts.
 *
 * Where the versions come from: SQLite data directories count 1 to 4 in this
 * same history (steps 1 to 4 are what the SQLite store had). PostgreSQL
 * databases counted their own 1 to 3 before the histories joined; the
 * PostgreSQL dialect maps those numbers onto this history (`Ddl.joined`), and
 * since this code always brings a PostgreSQL database to 5 or later, a 1, 2
 * or 3 there can only be the old count. Code of either old history refuses a
 * database at 5 ("newer than this server's").
 */

/** What the two dialects spell differently in a schema. */
export interface Ddl {
  /** The type of a key column: sorted bytewise on both, whatever the PostgreSQL cluster's locale. */
  key: string;
  /** After the definition of a table with a text primary key (SQLite keeps it in its key's order). */
  keyed: string;
  /** A 64-bit integer (SQLite's INTEGER is one). */
  bigint: string;
  /** An audit id: a 64-bit integer that only grows. */
  autoId: string;
  /** Step 4's triggers, which count every change of a client secret in meta 'secrets'. */
  countSecretChanges: string;
  /** SQL for the manager digest (lib/model/ownership.ts managerDigest: SHA-256, base64url without padding) of a text column. */
  managerDigest(column: string): string;
  /** The version in this history of a database whose recorded version is `recorded` (the identity but for PostgreSQL's old count). */
  joined(recorded: number): number;
}

interface Migration {
  version: number;
  sql: (d: Ddl) => string;
}

const MIGRATIONS: readonly Migration[] = [
  // The first release's tables (IF NOT EXISTS: the first release recorded no version, and its data directories start here too).
  {
    version: 1,
    sql: d => `
CREATE TABLE IF NOT EXISTS objects (
  kind ${d.key} NOT NULL, key ${d.key} NOT NULL, value TEXT NOT NULL, version ${d.bigint} NOT NULL,
  PRIMARY KEY (kind, key))${d.keyed};
CREATE TABLE IF NOT EXISTS client_secrets (client_id ${d.key} PRIMARY KEY, hash TEXT NOT NULL)${d.keyed};
CREATE TABLE IF NOT EXISTS audit (
  id ${d.autoId}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  kind TEXT, key TEXT, before TEXT, after TEXT,
  client_id TEXT, requested_scopes TEXT, granted_scopes TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS audit_kind_key ON audit (kind, key);
CREATE INDEX IF NOT EXISTS audit_client ON audit (client_id);
CREATE TABLE IF NOT EXISTS usage (
  client_id ${d.key} NOT NULL, scope ${d.key} NOT NULL, last_used_at TEXT NOT NULL,
  PRIMARY KEY (client_id, scope))${d.keyed};
INSERT INTO meta (name, value) VALUES ('revision', '0') ON CONFLICT (name) DO NOTHING;`,
  },
  // Ownership: the Terraform resource that manages each object. Objects written before have no manager:
  // callers without a manager id (direct admin users, Terraform state written before) keep changing them;
  // `terraform import` gives them one.
  {
    version: 2,
    sql: () => `
ALTER TABLE objects ADD COLUMN manager TEXT;
ALTER TABLE objects ADD COLUMN manager_label TEXT;
ALTER TABLE objects ADD COLUMN managed_since TEXT;`,
  },
  // Admin tokens with roles: the audit actor is the token's name; what a caller says of itself (x-actor)
  // is kept beside it, unverified.
  { version: 3, sql: () => 'ALTER TABLE audit ADD COLUMN actor_note TEXT;' },
  // Every change of a client secret counts in meta 'secrets', so that one read of the token endpoint's inputs
  // version (tokenInputsVersion) tells whether what it keeps still holds. Triggers: no writer can forget it.
  {
    version: 4,
    sql: d => `
INSERT INTO meta (name, value) VALUES ('secrets', '0') ON CONFLICT (name) DO NOTHING;
${d.countSecretChanges}`,
  },
  // Where the two histories join: the tables the SQLite store created outside its versions (IF NOT EXISTS, as it
  // did at every start) and PostgreSQL's versions 1 to 3 held. The policy record (PolicyStore), named admin tokens
  // (SHA-256 hashes only, see admin-tokens.ts), the token signing keys and the version of their set, keys the server
  // makes for itself (ServerKeyStore), refused requests counted per minute (refusal-counter.ts) and the index audit
  // retention prunes by.
  {
    version: 5,
    sql: d => `
CREATE TABLE IF NOT EXISTS policy (
  id INTEGER PRIMARY KEY CHECK (id = 1), environment TEXT NOT NULL, document TEXT, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS admin_tokens (
  name ${d.key} PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,
  created_at TEXT NOT NULL, created_by TEXT, revoked_at TEXT)${d.keyed};
CREATE TABLE IF NOT EXISTS signing_key_set (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid ${d.key} PRIMARY KEY, private_jwk TEXT NOT NULL, created_at TEXT NOT NULL, activates_at TEXT NOT NULL, remove_at TEXT);
CREATE TABLE IF NOT EXISTS server_keys (name ${d.key} PRIMARY KEY, value TEXT NOT NULL)${d.keyed};
CREATE TABLE IF NOT EXISTS refusal_counts (
  minute ${d.key} NOT NULL, endpoint ${d.key} NOT NULL, client_id ${d.key} NOT NULL,
  source ${d.key} NOT NULL, reason ${d.key} NOT NULL, count ${d.bigint} NOT NULL,
  PRIMARY KEY (minute, endpoint, client_id, source, reason));
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);`,
  },
  // The manager id is a credential of the workspace that holds it: the column keeps its digest from now on, and the
  // ids stored as they came are hashed (SQLite zeroes what it replaces and empties its log once migrated: sqlite-store.ts).
  { version: 6, sql: d => `UPDATE objects SET manager = ${d.managerDigest('manager')} WHERE manager IS NOT NULL;` },
  // The clients the control plane created on a downstream server (DownstreamClientStore, lib/server/downstream).
  {
    version: 7,
    sql: d => `
CREATE TABLE IF NOT EXISTS downstream_clients (
  downstream ${d.key} NOT NULL, client_id ${d.key} NOT NULL, remote_id TEXT NOT NULL, state TEXT NOT NULL, pushed TEXT NOT NULL,
  PRIMARY KEY (downstream, client_id))${d.keyed};`,
  },
  // The (kind, key) index serves the audit of one object; a token grant's entry has no kind (its key is the token's
  // random jti), and indexing it cost every token a write to a random page of the index. Partial: object entries only.
  // A query that names a kind still uses it (`kind = ?` implies `kind IS NOT NULL`, on both dialects).
  {
    version: 8,
    sql: () => `
CREATE INDEX IF NOT EXISTS audit_object ON audit (kind, key) WHERE kind IS NOT NULL;
DROP INDEX IF EXISTS audit_kind_key;`,
  },
  // The next step goes here: { version: 9, sql: d => `CREATE TABLE ...` }.
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The statements a migration runs, on a connection its dialect has opened a transaction on (holding its migration lock). */
export interface MigrationConnection {
  exec(sql: string): unknown;
  rows<R>(sql: string, params: readonly unknown[]): R[] | Promise<R[]>;
}

/** Brings the database to SCHEMA_VERSION, or refuses one that is newer; call it inside one transaction. */
export async function migrate(db: MigrationConnection, ddl: Ddl): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS meta (name ${ddl.key} PRIMARY KEY, value TEXT NOT NULL)${ddl.keyed}`);
  const [row] = await db.rows<{ value: string }>(`SELECT value FROM meta WHERE name = 'schema_version'`, []);
  // No version recorded: a new database, or one of the first release (step 1 takes both).
  const recorded = row ? Number(row.value) : 0;
  if (recorded > SCHEMA_VERSION) {
    throw new Error(
      `the store is at schema version ${recorded}, newer than this server's ${SCHEMA_VERSION}: run the newer release of procurement-scopes on it`,
    );
  }
  const current = ddl.joined(recorded);
  for (const migration of MIGRATIONS.filter(m => m.version > current)) await db.exec(migration.sql(ddl));
  await db.exec(`INSERT INTO meta (name, value) VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT (name) DO UPDATE SET value = excluded.value`);
}
