/**
 * The SQLite implementation of the store (better-sqlite3: one connection,
 * synchronous calls behind the asynchronous contract of store.ts).
 *
 * Concurrency: a transaction spans awaits (`transaction(async tx => ...)`),
 * and in between other requests run on the same connection. So one mutex
 * serializes ALL access, reads outside transactions included: a transaction
 * holds it from BEGIN to COMMIT or ROLLBACK, and any other call waits for it
 * (see `serialized`; with no transaction open, a call runs at once, which
 * is the same thing, since every method's body but `close` is synchronous).
 * Serializing only writes would let a read outside a
 * transaction see another request's uncommitted, maybe rolled back, writes
 * (one connection sees its own open transaction): a token issued for a
 * client whose creation is then refused. The price is small: a call waits at
 * most for the transaction in progress, and on SQLite a transaction's
 * callback awaits nothing but the store, whose calls are synchronous
 * underneath, so it holds the lock for about as long as the synchronous
 * transaction it replaces did.
 *
 * Durability: WAL with `synchronous = FULL`, so every commit is fsynced
 * before the admin API answers; an acknowledged write survives `kill -9` and
 * power loss alike. NORMAL would survive a process kill but could lose the
 * last commits on power loss, and admin writes are rare enough that an fsync
 * each costs nothing that matters. Token grants are many: they are committed
 * in batches (oauth/grant-batch.ts), off the event loop and without an fsync
 * of their own (sqlite-grant-writer.ts says why), each answered once its
 * batch is committed: it survives `kill -9`.
 */
import { Mutex } from 'async-mutex';
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Kind, KindObject, Role, RoleBinding, Scope, Snapshot } from '../../model/types';
import { EffectiveScopeInput } from '../../model/effective-scopes';
import { AdminRole, AuditEntry, AuditQuery, RefusalCount, UsageEntry } from '../../model/admin-api';
import { Manager, ManagerIndex } from '../../model/ownership';
import { canonicalJson } from '../../model/canonical-json';
import { auditFilters, AuditRow, auditPage } from './audit-rows';
import { migrate } from './migrations';
import { OwnedClient } from '../downstream/adapter';
import { SqliteGrantWriter } from './sqlite-grant-writer';
import { TOKEN_INPUTS_VERSION, TokenInputsRow, tokenInputsVersionOf } from './token-inputs-version';
import { DownstreamRecord, GrantBatch, HolderField, ListOptions, NewAuditEntry, PolicyRecord, RefusalKey, Store, StoredAdminToken, StoredObject, StoredSigningKey, StoreTransaction } from './store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL,
  PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS client_secrets (client_id TEXT PRIMARY KEY, hash TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  kind TEXT, key TEXT, before TEXT, after TEXT,
  client_id TEXT, requested_scopes TEXT, granted_scopes TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS audit_kind_key ON audit (kind, key);
CREATE INDEX IF NOT EXISTS audit_client ON audit (client_id);
CREATE TABLE IF NOT EXISTS usage (
  client_id TEXT NOT NULL, scope TEXT NOT NULL, last_used_at TEXT NOT NULL,
  PRIMARY KEY (client_id, scope)) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', '0');
`;

/** The policy record (PolicyStore): one row, added beside SCHEMA so that the object tables stay as they are. */
const POLICY_SCHEMA = `
CREATE TABLE IF NOT EXISTS policy (
  id INTEGER PRIMARY KEY CHECK (id = 1), environment TEXT NOT NULL, document TEXT, version INTEGER NOT NULL);
`;

/** Up to this many client ids, `bindingsNamingAny` prefilters by substring (one prepared statement per count). */
const BINDING_PREFILTER_MAX = 16;

/** Named admin tokens (AdminTokenStore): SHA-256 hashes only, see admin-tokens.ts. */
const ADMIN_TOKENS_SCHEMA = `
CREATE TABLE IF NOT EXISTS admin_tokens (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,
  created_at TEXT NOT NULL, created_by TEXT, revoked_at TEXT) WITHOUT ROWID;
`;

/** Token signing keys (SigningKeyStore): the set and its version, bumped by every replacement. Plain SQL PostgreSQL takes too. */
const SIGNING_KEYS_SCHEMA = `
CREATE TABLE IF NOT EXISTS signing_key_set (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS signing_keys (
  kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, created_at TEXT NOT NULL, activates_at TEXT NOT NULL, remove_at TEXT);
`;

/** Keys the server makes for itself (ServerKeyStore), e.g. the client-secret HMAC key. */
const SERVER_KEYS_SCHEMA = `
CREATE TABLE IF NOT EXISTS server_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * Refusal counters (RefusalCounterStore) and the index audit retention deletes by. Plain SQL that
 * PostgreSQL accepts as well (the upsert adds to the stored count, so instances can share rows).
 */
const REFUSALS_SCHEMA = `
CREATE TABLE IF NOT EXISTS refusal_counts (
  minute TEXT NOT NULL, endpoint TEXT NOT NULL, client_id TEXT NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY (minute, endpoint, client_id, source, reason));
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
`;

/** Rows deleted per statement when pruning, so that one sweep never holds the write lock for long. */
const PRUNE_BATCH = 5_000;

/** For each holder field, a condition on `o.value` that is true when it names `?` (aliases keep json_each's own `value` column apart). */
const HOLDER_CONDITION: Record<HolderField, string> = {
  scopes: `EXISTS (SELECT 1 FROM json_each(o.value, '$.scopes') j WHERE j.value = ?)`,
  implies: `EXISTS (SELECT 1 FROM json_each(o.value, '$.implies') j WHERE j.value = ?)`,
  role: `json_extract(o.value, '$.role') = ?`,
  subjects: `EXISTS (SELECT 1 FROM json_each(o.value, '$.subjects') j WHERE json_extract(j.value, '$.clientId') = ?)`,
};

const ADMIN_TOKEN_COLUMNS = 'name, role, hash, created_at AS createdAt, created_by AS createdBy, revoked_at AS revokedAt';
const AUDIT_COLUMNS =
  'id, at, actor, actor_note AS actorNote, action, kind, key, before, after, client_id AS clientId, ' +
  'requested_scopes AS requestedScopes, granted_scopes AS grantedScopes, reason';

const AUDIT_INSERT =
  'INSERT INTO audit (at, actor, actor_note, action, kind, key, before, after, client_id, requested_scopes, granted_scopes, reason) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** Another instance's batch may commit later with older uses (PostgreSQL): usage only moves forward. */
const USAGE_FORWARD =
  'INSERT INTO usage (client_id, scope, last_used_at) VALUES (?, ?, ?) ON CONFLICT (client_id, scope) DO UPDATE SET ' +
  'last_used_at = CASE WHEN excluded.last_used_at > usage.last_used_at THEN excluded.last_used_at ELSE usage.last_used_at END';

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Held by a transaction from BEGIN to its end, and by every call from outside one (see the header). */
  private readonly mutex = new Mutex();

  /** Opens (creating if needed) `<dataDir>/store.sqlite`; files readable by the owner only. */
  static open(dataDir: string): SqliteStore {
    const file = join(dataDir, 'store.sqlite');
    const fresh = !existsSync(file);
    const db = new Database(file);
    if (fresh) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    db.exec(POLICY_SCHEMA);
    db.exec(ADMIN_TOKENS_SCHEMA);
    db.exec(SIGNING_KEYS_SCHEMA);
    db.exec(SERVER_KEYS_SCHEMA);
    db.exec(REFUSALS_SCHEMA);
    migrate(db);
    const store = new SqliteStore(db);
    return serialized(store, store.mutex);
  }

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Started with the first grant batch. */
  private grantWriter: SqliteGrantWriter | null = null;

  async get<K extends Kind>(kind: K, key: string): Promise<StoredObject<K> | null> {
    return this.object(kind, key);
  }

  private object<K extends Kind>(kind: K, key: string): StoredObject<K> | null {
    const row = this.stmt('SELECT value, version FROM objects WHERE kind = ? AND key = ?').get(kind, key) as
      | { value: string; version: number }
      | undefined;
    return row ? { value: JSON.parse(row.value), version: row.version } : null;
  }

  async list<K extends Kind>(kind: K, options: ListOptions): Promise<StoredObject<K>[]> {
    const rows = this.stmt(
      'SELECT value, version FROM objects WHERE kind = ? AND key > ? ORDER BY key LIMIT ?',
    ).all(kind, options.after ?? '', options.limit) as { value: string; version: number }[];
    return rows.map(r => ({ value: JSON.parse(r.value), version: r.version }));
  }

  async put<K extends Kind>(kind: K, key: string, value: KindObject[K]): Promise<number> {
    const version = this.bumpRevision();
    this.stmt(
      'INSERT INTO objects (kind, key, value, version) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, version = excluded.version',
    ).run(kind, key, canonicalJson(value), version);
    return version;
  }

  async delete(kind: Kind, key: string): Promise<boolean> {
    const deleted = this.stmt('DELETE FROM objects WHERE kind = ? AND key = ?').run(kind, key).changes > 0;
    if (deleted) this.bumpRevision();
    return deleted;
  }

  async revision(): Promise<number> {
    return this.currentRevision();
  }

  async tokenInputsVersion(): Promise<string> {
    return tokenInputsVersionOf(this.stmt(TOKEN_INPUTS_VERSION).get() as TokenInputsRow);
  }

  private currentRevision(): number {
    return Number((this.stmt(`SELECT value FROM meta WHERE name = 'revision'`).get() as { value: string }).value);
  }

  async snapshot(): Promise<Snapshot> {
    return this.db.transaction(
      (): Snapshot => ({
        revision: this.currentRevision(),
        scopes: this.all('scopes') as Scope[],
        roles: this.all('roles') as Role[],
        clients: this.all('clients') as Client[],
        roleBindings: this.all('role-bindings') as RoleBinding[],
        managers: this.managerIndex(),
      }),
    )();
  }

  async holdersOf(holderKind: Kind, field: HolderField, key: string): Promise<string[]> {
    return this.holderKeys(holderKind, field, key);
  }

  private holderKeys(holderKind: Kind, field: HolderField, key: string): string[] {
    const rows = this.stmt(`SELECT o.key FROM objects o WHERE o.kind = ? AND ${HOLDER_CONDITION[field]} ORDER BY o.key`).all(
      holderKind,
      key,
    ) as { key: string }[];
    return rows.map(r => r.key);
  }

  async effectiveScopeInput(clientId: string): Promise<EffectiveScopeInput & { scopes: Scope[] }> {
    return this.db.transaction(() => {
      const roleBindings = this.holderKeys('role-bindings', 'subjects', clientId).map(
        name => this.object('role-bindings', name)!.value as RoleBinding,
      );
      const roles = [...new Set(roleBindings.map(b => b.role))]
        .map(name => this.object('roles', name)?.value as Role | undefined)
        .filter((r): r is Role => r !== undefined);
      // Every scope, for `implies`: one cheap read of short rows.
      const scopes = this.all('scopes') as Scope[];
      return { scopes, roles, roleBindings };
    })();
  }

  async managerOf(kind: Kind, key: string): Promise<Manager | null> {
    const row = this.stmt('SELECT manager, manager_label, managed_since FROM objects WHERE kind = ? AND key = ?').get(kind, key) as
      | ManagerRow
      | undefined;
    return row?.manager ? toManager(row) : null;
  }

  async setManager(kind: Kind, key: string, manager: Manager | null): Promise<void> {
    this.stmt('UPDATE objects SET manager = ?, manager_label = ?, managed_since = ? WHERE kind = ? AND key = ?').run(
      manager?.id ?? null,
      manager?.label ?? null,
      manager?.since ?? null,
      kind,
      key,
    );
  }

  async managers(): Promise<ManagerIndex> {
    return this.managerIndex();
  }

  private managerIndex(): ManagerIndex {
    const index: ManagerIndex = { scopes: {}, roles: {}, clients: {}, 'role-bindings': {} };
    const rows = this.stmt(
      'SELECT kind, key, manager, manager_label, managed_since FROM objects WHERE manager IS NOT NULL ORDER BY kind, key',
    ).all() as (ManagerRow & { kind: Kind; key: string })[];
    for (const row of rows) index[row.kind][row.key] = toManager(row);
    return index;
  }

  /** BEGIN IMMEDIATE under the mutex, as better-sqlite3's `transaction().immediate()` did, but across awaits. */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this);
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async secretHash(clientId: string): Promise<string | null> {
    const row = this.stmt('SELECT hash FROM client_secrets WHERE client_id = ?').get(clientId) as { hash: string } | undefined;
    return row?.hash ?? null;
  }

  async setSecretHash(clientId: string, hash: string): Promise<void> {
    this.stmt(
      'INSERT INTO client_secrets (client_id, hash) VALUES (?, ?) ON CONFLICT (client_id) DO UPDATE SET hash = excluded.hash',
    ).run(clientId, hash);
  }

  async deleteSecretHash(clientId: string): Promise<void> {
    this.stmt('DELETE FROM client_secrets WHERE client_id = ?').run(clientId);
  }

  async bindingsNamingAny(clientIds: readonly string[]): Promise<RoleBinding[]> {
    if (clientIds.length === 0) return [];
    // A substring test on the stored (canonical) text first, so that json_each parses only bindings that may
    // name one of the clients: most writes reach a few clients, and parsing every subject of every binding
    // was most of an admission's cost in a 5,000-grant store.
    const few = clientIds.length <= BINDING_PREFILTER_MAX;
    const prefilter = few ? `AND (${clientIds.map(() => 'instr(o.value, ?) > 0').join(' OR ')}) ` : '';
    const rows = this.stmt(
      `SELECT o.value FROM objects o WHERE o.kind = 'role-bindings' ${prefilter}AND EXISTS (SELECT 1 FROM json_each(o.value, '$.subjects') j ` +
        `WHERE json_extract(j.value, '$.clientId') IN (SELECT value FROM json_each(?))) ORDER BY o.key`,
    ).all(...(few ? clientIds.map(id => `"clientId":${JSON.stringify(id)}`) : []), JSON.stringify(clientIds)) as { value: string }[];
    return rows.map(r => JSON.parse(r.value));
  }

  async policyRecord(): Promise<PolicyRecord | null> {
    const row = this.stmt('SELECT environment, document, version FROM policy WHERE id = 1').get() as
      | { environment: string; document: string | null; version: number }
      | undefined;
    return row ? { environment: row.environment, document: row.document === null ? null : JSON.parse(row.document), version: row.version } : null;
  }

  async initPolicy(environment: string): Promise<void> {
    this.stmt('INSERT OR IGNORE INTO policy (id, environment, document, version) VALUES (1, ?, NULL, 0)').run(environment);
  }

  async setPolicyDocument(document: unknown | null): Promise<number> {
    const row = this.stmt('UPDATE policy SET document = ?, version = version + 1 WHERE id = 1 RETURNING version').get(document === null ? null : canonicalJson(document)) as
      | { version: number }
      | undefined;
    if (!row) throw new Error('setPolicyDocument before initPolicy');
    return row.version;
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    this.stmt(AUDIT_INSERT).run(...auditRow(entry));
  }

  async queryAudit(query: Omit<AuditQuery, 'limit'> & { limit: number; maxBytes: number }): Promise<{ entries: AuditEntry[]; more: boolean }> {
    const { where, params } = auditFilters(query, () => '?');
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    // Row by row, so that a page of large entries stops at the byte budget instead of loading every row first.
    return auditPage(this.db.prepare(sql).iterate(...params, query.limit + 1) as IterableIterator<AuditRow>, query.limit, query.maxBytes);
  }

  async pruneAudit(before: string, keepAtMost: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = this.stmt('DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?)').run(before, PRUNE_BATCH).changes;
      removed += batch;
      if (batch < PRUNE_BATCH) break;
    }
    // Ids only grow, so the newest `keepAtMost` entries have ids above max(id) - keepAtMost.
    removed += this.stmt('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?').run(keepAtMost).changes;
    return removed;
  }

  async addRefusals(rows: readonly RefusalCount[]): Promise<void> {
    const add = this.stmt(
      'INSERT INTO refusal_counts (minute, endpoint, client_id, source, reason, count) VALUES (?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (minute, endpoint, client_id, source, reason) DO UPDATE SET count = refusal_counts.count + excluded.count',
    );
    this.db.transaction(() => {
      for (const r of rows) add.run(r.minute, r.endpoint, r.clientId, r.source, r.reason, r.count);
    })();
  }

  async refusals(query: { since?: string; clientId?: string; after?: RefusalKey; limit: number }): Promise<RefusalCount[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.since !== undefined) {
      where.push('minute >= ?');
      params.push(query.since);
    }
    if (query.clientId !== undefined) {
      where.push('client_id = ?');
      params.push(query.clientId);
    }
    if (query.after !== undefined) {
      const a = query.after;
      where.push('(minute, endpoint, client_id, source, reason) > (?, ?, ?, ?, ?)');
      params.push(a.minute, a.endpoint, a.clientId, a.source, a.reason);
    }
    return this.stmt(
      'SELECT minute, endpoint, client_id AS clientId, source, reason, count FROM refusal_counts ' +
        `${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY minute, endpoint, client_id, source, reason LIMIT ?`,
    ).all(...params, query.limit) as RefusalCount[];
  }

  async pruneRefusals(before: string): Promise<number> {
    return this.stmt('DELETE FROM refusal_counts WHERE minute < ?').run(before).changes;
  }

  /** On the grant writer's thread and connection (sqlite-grant-writer.ts): its fsync never blocks this one. */
  commitGrants(batch: GrantBatch): Promise<void> {
    this.grantWriter ??= new SqliteGrantWriter(this.db.name, { auditSql: AUDIT_INSERT, usageSql: USAGE_FORWARD });
    return this.grantWriter.commit({ audit: batch.audit.map(auditRow), usage: batch.usage.map(u => [u.clientId, u.scope, u.lastUsedAt]) });
  }

  async downstreamClients(downstream: string): Promise<DownstreamRecord[]> {
    const rows = this.stmt(
      'SELECT client_id AS clientId, remote_id AS remoteId, state, pushed FROM downstream_clients WHERE downstream = ? ORDER BY client_id',
    ).all(downstream) as (OwnedClient & { pushed: string })[];
    return rows.map(row => ({ ...row, pushed: JSON.parse(row.pushed) as string[] }));
  }

  async putDownstreamClient(downstream: string, client: DownstreamRecord): Promise<void> {
    this.stmt(
      'INSERT INTO downstream_clients (downstream, client_id, remote_id, state, pushed) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (downstream, client_id) DO UPDATE SET remote_id = excluded.remote_id, state = excluded.state, pushed = excluded.pushed',
    ).run(downstream, client.clientId, client.remoteId, client.state, JSON.stringify(client.pushed));
  }

  async deleteDownstreamClient(downstream: string, clientId: string): Promise<void> {
    this.stmt('DELETE FROM downstream_clients WHERE downstream = ? AND client_id = ?').run(downstream, clientId);
  }

  async serverKey(name: string, candidate: string): Promise<string> {
    this.stmt('INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, candidate);
    return (this.stmt('SELECT value FROM server_keys WHERE name = ?').get(name) as { value: string }).value;
  }

  async upgradeSecretHash(clientId: string, from: string, to: string): Promise<boolean> {
    return this.stmt('UPDATE client_secrets SET hash = ? WHERE client_id = ? AND hash = ?').run(to, clientId, from).changes > 0;
  }

  async usage(clientId?: string): Promise<UsageEntry[]> {
    const rows = (
      clientId === undefined
        ? this.stmt('SELECT * FROM usage ORDER BY client_id, scope').all()
        : this.stmt('SELECT * FROM usage WHERE client_id = ? ORDER BY scope').all(clientId)
    ) as { client_id: string; scope: string; last_used_at: string }[];
    return rows.map(r => ({ clientId: r.client_id, scope: r.scope, lastUsedAt: r.last_used_at }));
  }

  async activeAdminTokens(): Promise<StoredAdminToken[]> {
    return this.stmt(`SELECT ${ADMIN_TOKEN_COLUMNS} FROM admin_tokens WHERE revoked_at IS NULL ORDER BY name`).all() as StoredAdminToken[];
  }

  async allAdminTokens(): Promise<StoredAdminToken[]> {
    return this.stmt(`SELECT ${ADMIN_TOKEN_COLUMNS} FROM admin_tokens ORDER BY name`).all() as StoredAdminToken[];
  }

  async adminToken(name: string): Promise<StoredAdminToken | null> {
    return (this.stmt(`SELECT ${ADMIN_TOKEN_COLUMNS} FROM admin_tokens WHERE name = ?`).get(name) as StoredAdminToken | undefined) ?? null;
  }

  async insertAdminToken(token: StoredAdminToken): Promise<void> {
    this.stmt('INSERT INTO admin_tokens (name, role, hash, created_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      token.name,
      token.role,
      token.hash,
      token.createdAt,
      token.createdBy,
      token.revokedAt,
    );
  }

  async replaceAdminToken(name: string, hash: string, role: AdminRole, at: string): Promise<void> {
    this.stmt('UPDATE admin_tokens SET hash = ?, role = ?, created_at = ?, revoked_at = NULL WHERE name = ?').run(hash, role, at, name);
  }

  async revokeAdminToken(name: string, at: string): Promise<boolean> {
    return this.stmt('UPDATE admin_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(at, name).changes > 0;
  }

  async signingKeySet(): Promise<{ version: number; keys: StoredSigningKey[] }> {
    return this.db.transaction(() => ({
      version: this.signingKeyVersionNow(),
      keys: (
        this.stmt('SELECT kid, private_jwk, created_at, activates_at, remove_at FROM signing_keys ORDER BY activates_at, kid').all() as {
          kid: string;
          private_jwk: string;
          created_at: string;
          activates_at: string;
          remove_at: string | null;
        }[]
      ).map(r => ({ kid: r.kid, privateJwk: JSON.parse(r.private_jwk), createdAt: r.created_at, activatesAt: r.activates_at, removeAt: r.remove_at })),
    }))();
  }

  async signingKeySetVersion(): Promise<number> {
    return this.signingKeyVersionNow();
  }

  async replaceSigningKeySet(expectedVersion: number, keys: readonly StoredSigningKey[]): Promise<number | null> {
    return this.db.transaction(() => {
      const bumped =
        expectedVersion === 0
          ? this.stmt('INSERT INTO signing_key_set (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING').run().changes
          : this.stmt('UPDATE signing_key_set SET version = version + 1 WHERE id = 1 AND version = ?').run(expectedVersion).changes;
      if (bumped === 0) return null;
      this.stmt('DELETE FROM signing_keys').run();
      const insert = this.stmt('INSERT INTO signing_keys (kid, private_jwk, created_at, activates_at, remove_at) VALUES (?, ?, ?, ?, ?)');
      for (const key of keys) insert.run(key.kid, JSON.stringify(key.privateJwk), key.createdAt, key.activatesAt, key.removeAt);
      return expectedVersion + 1;
    }).immediate();
  }

  async close(): Promise<void> {
    await this.grantWriter?.close();
    this.db.close();
  }

  private all(kind: Kind): unknown[] {
    return (this.stmt('SELECT value FROM objects WHERE kind = ? ORDER BY key').all(kind) as { value: string }[]).map(r =>
      JSON.parse(r.value),
    );
  }

  private signingKeyVersionNow(): number {
    return (this.stmt('SELECT version FROM signing_key_set WHERE id = 1').get() as { version: number } | undefined)?.version ?? 0;
  }

  private bumpRevision(): number {
    const row = this.stmt(
      `UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'revision' RETURNING value`,
    ).get() as { value: number | string };
    return Number(row.value);
  }

  /** Prepared statements, compiled once per store (better-sqlite3 statements are reusable). */
  private readonly statements = new Map<string, Database.Statement>();
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * `store` with every method but `transaction` (which takes the mutex itself) run under `mutex`, so that a
 * call from outside a transaction waits for the one in progress (see the header). A Proxy rather than one
 * forwarding method per store method, so that a method added to SqliteStore is serialized with no more code;
 * methods are bound to `store`, so a transaction's `tx` (the store itself) never waits for its own lock.
 */
/**
 * Not behind the mutex: `transaction` takes it itself, and `commitGrants` runs on the grant writer's own
 * connection and thread (holding the mutex through its commit would stall every read meanwhile).
 */
const UNSERIALIZED = new Set<PropertyKey>(['transaction', 'commitGrants']);
/** Always in the queue: `close` awaits the grant writer, so its body is not one synchronous step. */
const ALWAYS_QUEUED = new Set<PropertyKey>(['close']);

function serialized(store: SqliteStore, mutex: Mutex): SqliteStore {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      if (!methods.has(name)) {
        const method = value as (...args: unknown[]) => unknown;
        const queued = (...args: unknown[]) => mutex.runExclusive(() => method.apply(target, args));
        // With no transaction open, a call runs at once: its body is synchronous, so nothing can come in between
        // (and the queue's promises cost a token request more than its reads did, measured 2026-11-29).
        const atOnceWhenFree = (...args: unknown[]) => (mutex.isLocked() ? queued(...args) : method.apply(target, args));
        methods.set(name, UNSERIALIZED.has(name) ? method.bind(target) : ALWAYS_QUEUED.has(name) ? queued : atOnceWhenFree);
      }
      return methods.get(name);
    },
  });
}

interface ManagerRow {
  manager: string | null;
  manager_label: string | null;
  managed_since: string | null;
}

function toManager(row: ManagerRow): Manager {
  return { id: row.manager!, label: row.manager_label ?? '', since: row.managed_since ?? '' };
}

/** The parameters of AUDIT_INSERT. */
function auditRow(entry: NewAuditEntry): unknown[] {
  return [
    entry.at,
    entry.actor,
    entry.actorNote ?? null,
    entry.action,
    entry.kind,
    entry.key,
    jsonOrNull(entry.before),
    jsonOrNull(entry.after),
    entry.clientId,
    jsonOrNull(entry.requestedScopes),
    jsonOrNull(entry.grantedScopes),
    entry.reason,
  ];
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** What an entry weighs in an answer: its stored text, about what its JSON takes. */
