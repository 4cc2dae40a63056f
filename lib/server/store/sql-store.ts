/**
 * The store, written once for SQLite and PostgreSQL: every query, its row
 * mapping and the schema (schema.ts). A dialect (sqlite-store.ts,
 * postgres-store.ts) holds only what differs: how a statement runs
 * (`SqlConnection`: placeholders, connections, transactions, SQLite's mutex
 * and writer thread, PostgreSQL's revision lock and deadlock retry) and the
 * few SQL words that differ (`SqlDialect`: reading inside JSON, inserting many
 * rows, the schema's `Ddl`). Upserts (`ON CONFLICT ... DO UPDATE`), row
 * values, window functions and RETURNING are the same on both, and written
 * here once.
 *
 * A thin layer of our own rather than a query builder. kysely 0.29 (looked at
 * for this) has both dialects, but its SQLite driver awaits a connection mutex
 * and prepares the statement again on every query, and runs nothing
 * synchronously: the token path relies on SQLite calls that run at once when
 * no transaction holds the mutex (with statements prepared once), and measured
 * that the queue's promises cost a token request more than its reads. The
 * queries that differ between the dialects are JSON reads, which kysely would
 * take as raw `sql` fragments anyway; what is left for it is string assembly
 * that these few statements do not need.
 *
 * Statements are written with `?` placeholders (PostgreSQL's connection
 * numbers them) and quote the camel-case names they answer ("createdAt"), so
 * rows come out the same from both drivers.
 */
import { Kind, KindObject, Role, RoleBinding, Scope, Snapshot } from '../../model/types';
import { EffectiveScopeInput } from '../../model/effective-scopes';
import { AdminRole, AuditEntry, AuditQuery, RefusalCount, RefusalTotal, UsageEntry } from '../../model/admin-api';
import { Manager, ManagerIndex } from '../../model/ownership';
import { canonicalJson } from '../../model/canonical-json';
import { auditFilters, AuditRow, auditPage } from './audit-rows';
import { Ddl } from './schema';
import {
  DownstreamRecord,
  GrantBatch,
  HolderField,
  ListOptions,
  NewAuditEntry,
  PolicyRecord,
  RefusalKey,
  Store,
  StoredAdminToken,
  StoredObject,
  StoredSigningKey,
  StoreTransaction,
} from './store';

/**
 * What a statement touches: `model` for the objects and what admission reads with them (secrets, policy, admin
 * tokens, the revision); `log` for what no admin write decides on (audit, usage, refusals, keys). On PostgreSQL a
 * transaction takes the admin write lock before its first `model` statement; on SQLite every statement is serialized.
 */
export type Access = 'model' | 'log';

/** Runs statements: over one transaction's connection, or, outside one, however the dialect does. */
export interface SqlConnection {
  /** The rows a statement answers (a SELECT, or a write with RETURNING). */
  rows<R>(sql: string, params: readonly unknown[], access: Access): R[] | Promise<R[]>;
  /** Runs a write; answers how many rows it changed. */
  run(sql: string, params: readonly unknown[], access: Access): number | Promise<number>;
}

/** One statement run once per entry of `params` (SQLite: a row each) or once (PostgreSQL: every row in one parameter). */
export interface RowsStatement {
  sql: string;
  params: readonly (readonly unknown[])[];
}

/** The columns of a table that rows are inserted into many at once, with their types (PostgreSQL's jsonb_to_recordset needs them). */
export type Columns = Readonly<Record<string, 'text' | 'bigint'>>;

/** The SQL words and forms that differ between the dialects. */
export interface SqlDialect {
  /** For each holder field, a condition on `o.value` (an object's JSON text) that is true when it names the one parameter. */
  holds: Readonly<Record<HolderField, string>>;
  /** The text of `field` of the JSON object in `column`. */
  jsonText(column: string, field: string): string;
  /** A condition on `o.value` (a role binding) that is true when a subject is one of `clientIds`, and its parameters. */
  namesAnyOf(clientIds: readonly string[]): { sql: string; params: unknown[] };
  /** `INSERT INTO table (columns) ... conflict` for every row, in the fewest statements the dialect runs well. */
  insertRows(table: string, columns: Columns, rows: readonly Readonly<Record<string, unknown>>[], conflict?: string): RowsStatement;
  ddl: Ddl;
}

/** Rows deleted per statement when pruning, so that one sweep never holds the write lock for long. */
const PRUNE_BATCH = 5_000;

const AUDIT_INSERT_COLUMNS: Columns = {
  at: 'text', actor: 'text', actor_note: 'text', action: 'text', kind: 'text', key: 'text', before: 'text', after: 'text',
  client_id: 'text', requested_scopes: 'text', granted_scopes: 'text', reason: 'text',
};
const USAGE_COLUMNS: Columns = { client_id: 'text', scope: 'text', last_used_at: 'text' };
/** Another instance's batch may commit later with older uses (PostgreSQL): usage only moves forward. */
const USAGE_FORWARD =
  'ON CONFLICT (client_id, scope) DO UPDATE SET ' +
  'last_used_at = CASE WHEN excluded.last_used_at > usage.last_used_at THEN excluded.last_used_at ELSE usage.last_used_at END';
const REFUSAL_COLUMNS: Columns = { minute: 'text', endpoint: 'text', client_id: 'text', source: 'text', reason: 'text', count: 'bigint' };
const SIGNING_KEY_COLUMNS: Columns = { kid: 'text', private_jwk: 'text', created_at: 'text', activates_at: 'text', remove_at: 'text' };

const ADMIN_TOKEN_SELECT = 'name, role, hash, created_at AS "createdAt", created_by AS "createdBy", revoked_at AS "revokedAt"';
const AUDIT_SELECT =
  'id, at, actor, actor_note AS "actorNote", action, kind, key, before, after, client_id AS "clientId", ' +
  'requested_scopes AS "requestedScopes", granted_scopes AS "grantedScopes", reason';
/** A row's text length as auditRowBytes counts it (audit-rows.ts), without the 8 it adds for other values: never more. */
const AUDIT_TEXT_BYTES = Object.keys(AUDIT_INSERT_COLUMNS)
  .map(column => `COALESCE(length(${column}), 0)`)
  .join(' + ');

/**
 * The token endpoint's inputs version (TokenInputsVersion in store.ts): the object revision, the policy version and
 * the count of client secret changes (kept by triggers, schema step 4).
 */
const TOKEN_INPUTS_VERSION =
  "SELECT (SELECT value FROM meta WHERE name = 'revision') AS revision, (SELECT version FROM policy WHERE id = 1) AS policy, " +
  "(SELECT value FROM meta WHERE name = 'secrets') AS secrets";

/** Every read and write of the store, over one connection: a transaction's, or the store's own. */
export class SqlStatements implements StoreTransaction {
  constructor(
    protected readonly db: SqlConnection,
    protected readonly dialect: SqlDialect,
  ) {}

  async get<K extends Kind>(kind: K, key: string): Promise<StoredObject<K> | null> {
    const [row] = await this.rows<ValueRow>('SELECT value, version FROM objects WHERE kind = ? AND key = ?', [kind, key]);
    return row ? { value: JSON.parse(row.value), version: row.version } : null;
  }

  async list<K extends Kind>(kind: K, options: ListOptions): Promise<StoredObject<K>[]> {
    const rows = await this.rows<ValueRow>('SELECT value, version FROM objects WHERE kind = ? AND key > ? ORDER BY key LIMIT ?', [
      kind,
      options.after ?? '',
      options.limit,
    ]);
    return rows.map(r => ({ value: JSON.parse(r.value), version: r.version }));
  }

  /** Two statements: the store runs it in a transaction (SqlStore). */
  async put<K extends Kind>(kind: K, key: string, value: KindObject[K]): Promise<number> {
    const version = await this.bumpRevision();
    await this.run(
      'INSERT INTO objects (kind, key, value, version) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, version = excluded.version',
      [kind, key, canonicalJson(value), version],
    );
    return version;
  }

  async delete(kind: Kind, key: string): Promise<boolean> {
    const deleted = (await this.run('DELETE FROM objects WHERE kind = ? AND key = ?', [kind, key])) > 0;
    if (deleted) await this.bumpRevision();
    return deleted;
  }

  async revision(): Promise<number> {
    const [row] = await this.rows<{ value: string }>(`SELECT value FROM meta WHERE name = 'revision'`);
    return Number(row.value);
  }

  async tokenInputsVersion(): Promise<string> {
    const [row] = await this.rows<{ revision: string; policy: number | null; secrets: string }>(TOKEN_INPUTS_VERSION, [], 'log');
    return `${row.revision}.${row.policy}.${row.secrets}`;
  }

  async snapshot(): Promise<Snapshot> {
    // One statement, one consistent view: the revision row and every object.
    const rows = await this.rows<ManagerRow & { kind: string; key: string; value: string }>(
      `SELECT name AS kind, name AS key, value, NULL AS manager, NULL AS manager_label, NULL AS managed_since FROM meta WHERE name = 'revision' ` +
        'UNION ALL SELECT kind, key, value, manager, manager_label, managed_since FROM objects ORDER BY kind, key',
    );
    const snapshot: Snapshot = { revision: 0, scopes: [], roles: [], clients: [], roleBindings: [], managers: emptyManagers() };
    const lists: Record<Kind, unknown[]> = { scopes: snapshot.scopes, roles: snapshot.roles, clients: snapshot.clients, 'role-bindings': snapshot.roleBindings };
    for (const row of rows) {
      if (row.kind === 'revision') {
        snapshot.revision = Number(row.value);
        continue;
      }
      const kind = row.kind as Kind;
      lists[kind].push(JSON.parse(row.value));
      if (row.manager) snapshot.managers![kind][row.key] = toManager(row);
    }
    return snapshot;
  }

  async holdersOf(holderKind: Kind, field: HolderField, key: string): Promise<string[]> {
    const rows = await this.rows<{ key: string }>(`SELECT o.key FROM objects o WHERE o.kind = ? AND ${this.dialect.holds[field]} ORDER BY o.key`, [
      holderKind,
      key,
    ]);
    return rows.map(r => r.key);
  }

  async effectiveScopeInput(clientId: string): Promise<EffectiveScopeInput & { scopes: Scope[] }> {
    // One statement (one consistent view, one round trip): the client's bindings, their roles, and every scope (for `implies`).
    const rows = await this.rows<{ kind: Kind; value: string }>(
      `WITH b AS (SELECT o.kind, o.key, o.value FROM objects o WHERE o.kind = 'role-bindings' AND ${this.dialect.holds.subjects}) ` +
        'SELECT kind, key, value FROM b ' +
        `UNION ALL SELECT kind, key, value FROM objects WHERE kind = 'roles' AND key IN (SELECT ${this.dialect.jsonText('value', 'role')} FROM b) ` +
        `UNION ALL SELECT kind, key, value FROM objects WHERE kind = 'scopes' ORDER BY key`,
      [clientId],
    );
    const of = <T>(kind: Kind) => rows.filter(r => r.kind === kind).map(r => JSON.parse(r.value) as T);
    return { scopes: of<Scope>('scopes'), roles: of<Role>('roles'), roleBindings: of<RoleBinding>('role-bindings') };
  }

  async managerOf(kind: Kind, key: string): Promise<Manager | null> {
    const [row] = await this.rows<ManagerRow>('SELECT manager, manager_label, managed_since FROM objects WHERE kind = ? AND key = ?', [kind, key]);
    return row?.manager ? toManager(row) : null;
  }

  async setManager(kind: Kind, key: string, manager: Manager | null): Promise<void> {
    await this.run('UPDATE objects SET manager = ?, manager_label = ?, managed_since = ? WHERE kind = ? AND key = ?', [
      manager?.digest ?? null,
      manager?.label ?? null,
      manager?.since ?? null,
      kind,
      key,
    ]);
  }

  async managers(): Promise<ManagerIndex> {
    const index = emptyManagers();
    const rows = await this.rows<ManagerRow & { kind: Kind; key: string }>(
      'SELECT kind, key, manager, manager_label, managed_since FROM objects WHERE manager IS NOT NULL ORDER BY kind, key',
    );
    for (const row of rows) index[row.kind][row.key] = toManager(row);
    return index;
  }

  async secretHash(clientId: string): Promise<string | null> {
    const [row] = await this.rows<{ hash: string }>('SELECT hash FROM client_secrets WHERE client_id = ?', [clientId]);
    return row?.hash ?? null;
  }

  async setSecretHash(clientId: string, hash: string): Promise<void> {
    await this.run('INSERT INTO client_secrets (client_id, hash) VALUES (?, ?) ON CONFLICT (client_id) DO UPDATE SET hash = excluded.hash', [clientId, hash]);
  }

  async deleteSecretHash(clientId: string): Promise<void> {
    await this.run('DELETE FROM client_secrets WHERE client_id = ?', [clientId]);
  }

  async upgradeSecretHash(clientId: string, from: string, to: string): Promise<boolean> {
    return (await this.run('UPDATE client_secrets SET hash = ? WHERE client_id = ? AND hash = ?', [to, clientId, from], 'log')) > 0;
  }

  async bindingsNamingAny(clientIds: readonly string[]): Promise<RoleBinding[]> {
    if (clientIds.length === 0) return [];
    const names = this.dialect.namesAnyOf(clientIds);
    const rows = await this.rows<{ value: string }>(`SELECT o.value FROM objects o WHERE o.kind = 'role-bindings' AND ${names.sql} ORDER BY o.key`, names.params);
    return rows.map(r => JSON.parse(r.value));
  }

  async policyRecord(): Promise<PolicyRecord | null> {
    const [row] = await this.rows<{ environment: string; document: string | null; version: number }>('SELECT environment, document, version FROM policy WHERE id = 1');
    return row ? { environment: row.environment, document: row.document === null ? null : JSON.parse(row.document), version: row.version } : null;
  }

  async initPolicy(environment: string): Promise<void> {
    await this.run('INSERT INTO policy (id, environment, document, version) VALUES (1, ?, NULL, 0) ON CONFLICT (id) DO NOTHING', [environment]);
  }

  async setPolicyDocument(document: unknown | null): Promise<number> {
    const [row] = await this.rows<{ version: number }>('UPDATE policy SET document = ?, version = version + 1 WHERE id = 1 RETURNING version', [
      document === null ? null : canonicalJson(document),
    ]);
    if (!row) throw new Error('setPolicyDocument before initPolicy');
    return row.version;
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.runRows(this.dialect.insertRows('audit', AUDIT_INSERT_COLUMNS, [auditRecord(entry)]));
  }

  async queryAudit(query: Omit<AuditQuery, 'limit'> & { limit: number; maxBytes: number }): Promise<{ entries: AuditEntry[]; more: boolean }> {
    const { where, params } = auditFilters(query);
    // The byte budget in SQL: of the first `limit + 1` entries, the first two (the first is always taken) and those
    // that start within the budget, the last of them past it (auditPage then decides), so that a page of large
    // entries never reaches this process whole. AUDIT_TEXT_BYTES counts no more than auditRowBytes does, so no
    // row the page would take is left out.
    const rows = await this.rows<AuditRow & { n: number; running: number; bytes: number }>(
      `SELECT * FROM (SELECT page.*, ROW_NUMBER() OVER (ORDER BY id) AS n, SUM(bytes) OVER (ORDER BY id) AS running FROM (` +
        `SELECT ${AUDIT_SELECT}, ${AUDIT_TEXT_BYTES} AS bytes FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?` +
        ') page) counted WHERE n <= 2 OR running - bytes <= ? ORDER BY id',
      [...params, query.limit + 1, query.maxBytes],
      'log',
    );
    return auditPage(
      rows.map(({ n: _n, running: _running, bytes: _bytes, ...row }) => row),
      query.limit,
      query.maxBytes,
    );
  }

  async pruneAudit(before: string, keepAtMost: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await this.run('DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?)', [before, PRUNE_BATCH], 'log');
      removed += batch;
      if (batch < PRUNE_BATCH) break;
    }
    // Ids only grow, so the newest `keepAtMost` entries have ids above max(id) - keepAtMost.
    return removed + (await this.run('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?', [keepAtMost], 'log'));
  }

  /** One statement or one per row: the store runs it in a transaction (SqlStore). */
  async addRefusals(rows: readonly RefusalCount[]): Promise<void> {
    // Sorted, so that two instances adding to the same rows lock them in the same order and cannot deadlock.
    const sorted = [...rows].sort(
      (x, y) =>
        compare(x.minute, y.minute) || compare(x.endpoint, y.endpoint) || compare(x.clientId, y.clientId) || compare(x.source, y.source) || compare(x.reason, y.reason),
    );
    const records = sorted.map(r => ({ minute: r.minute, endpoint: r.endpoint, client_id: r.clientId, source: r.source, reason: r.reason, count: r.count }));
    await this.runRows(
      this.dialect.insertRows(
        'refusal_counts',
        REFUSAL_COLUMNS,
        records,
        'ON CONFLICT (minute, endpoint, client_id, source, reason) DO UPDATE SET count = refusal_counts.count + excluded.count',
      ),
    );
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
    return this.rows<RefusalCount>(
      'SELECT minute, endpoint, client_id AS "clientId", source, reason, count FROM refusal_counts ' +
        `${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY minute, endpoint, client_id, source, reason LIMIT ?`,
      [...params, query.limit],
      'log',
    );
  }

  async refusalTotals(since: string): Promise<RefusalTotal[]> {
    return this.rows<RefusalTotal>(
      'SELECT client_id AS "clientId", endpoint, reason, CAST(SUM(count) AS BIGINT) AS count, MAX(minute) AS "lastMinute" FROM refusal_counts ' +
        'WHERE minute >= ? GROUP BY client_id, endpoint, reason ORDER BY client_id, endpoint, reason',
      [since],
      'log',
    );
  }

  async pruneRefusals(before: string): Promise<number> {
    return this.run('DELETE FROM refusal_counts WHERE minute < ?', [before], 'log');
  }

  /** A batch of token grants; the store commits it in a transaction of its own (SqlStore, SqliteStore). */
  async commitGrants(batch: GrantBatch): Promise<void> {
    for (const statement of grantStatements(this.dialect, batch)) await this.runRows(statement);
  }

  async downstreamClients(downstream: string): Promise<DownstreamRecord[]> {
    const rows = await this.rows<{ clientId: string; remoteId: string; state: string; pushed: string }>(
      'SELECT client_id AS "clientId", remote_id AS "remoteId", state, pushed FROM downstream_clients WHERE downstream = ? ORDER BY client_id',
      [downstream],
      'log',
    );
    return rows.map(row => ({ ...row, pushed: JSON.parse(row.pushed) as string[] }));
  }

  async putDownstreamClient(downstream: string, client: DownstreamRecord): Promise<void> {
    await this.run(
      'INSERT INTO downstream_clients (downstream, client_id, remote_id, state, pushed) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (downstream, client_id) DO UPDATE SET remote_id = excluded.remote_id, state = excluded.state, pushed = excluded.pushed',
      [downstream, client.clientId, client.remoteId, client.state, JSON.stringify(client.pushed)],
      'log',
    );
  }

  async deleteDownstreamClient(downstream: string, clientId: string): Promise<void> {
    await this.run('DELETE FROM downstream_clients WHERE downstream = ? AND client_id = ?', [downstream, clientId], 'log');
  }

  async serverKey(name: string, candidate: string): Promise<string> {
    // Two statements: on PostgreSQL, one INSERT ... RETURNING with a SELECT would read a snapshot taken before a racing instance's insert.
    await this.run('INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, candidate], 'log');
    const [row] = await this.rows<{ value: string }>('SELECT value FROM server_keys WHERE name = ?', [name], 'log');
    return row.value;
  }

  async signingKeySet(): Promise<{ version: number; keys: StoredSigningKey[] }> {
    // One statement: the version and the keys it counts, seen together.
    const rows = await this.rows<SigningKeyRow>(
      'SELECT version AS set_version, NULL AS kid, NULL AS private_jwk, NULL AS created_at, NULL AS activates_at, NULL AS remove_at FROM signing_key_set WHERE id = 1 ' +
        'UNION ALL SELECT NULL, kid, private_jwk, created_at, activates_at, remove_at FROM signing_keys ORDER BY activates_at, kid',
      [],
      'log',
    );
    const version = rows.find(r => r.set_version !== null)?.set_version ?? 0;
    const keys = rows
      .filter(r => r.kid !== null)
      .map(r => ({ kid: r.kid!, privateJwk: JSON.parse(r.private_jwk!), createdAt: r.created_at!, activatesAt: r.activates_at!, removeAt: r.remove_at }));
    return { version, keys };
  }

  async signingKeySetVersion(): Promise<number> {
    const [row] = await this.rows<{ version: number }>('SELECT version FROM signing_key_set WHERE id = 1', [], 'log');
    return row?.version ?? 0;
  }

  /** Compare and set on the set's version row, then the new set: the store runs it in a transaction (SqlStore). */
  async replaceSigningKeySet(expectedVersion: number, keys: readonly StoredSigningKey[]): Promise<number | null> {
    const bumped =
      expectedVersion === 0
        ? await this.run('INSERT INTO signing_key_set (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING', [], 'log')
        : await this.run('UPDATE signing_key_set SET version = version + 1 WHERE id = 1 AND version = ?', [expectedVersion], 'log');
    if (bumped === 0) return null;
    await this.run('DELETE FROM signing_keys', [], 'log');
    const records = keys.map(k => ({ kid: k.kid, private_jwk: JSON.stringify(k.privateJwk), created_at: k.createdAt, activates_at: k.activatesAt, remove_at: k.removeAt }));
    await this.runRows(this.dialect.insertRows('signing_keys', SIGNING_KEY_COLUMNS, records), 'log');
    return expectedVersion + 1;
  }

  async usage(clientId?: string): Promise<UsageEntry[]> {
    const select = 'SELECT client_id AS "clientId", scope, last_used_at AS "lastUsedAt" FROM usage';
    return clientId === undefined
      ? this.rows<UsageEntry>(`${select} ORDER BY client_id, scope`, [], 'log')
      : this.rows<UsageEntry>(`${select} WHERE client_id = ? ORDER BY scope`, [clientId], 'log');
  }

  async activeAdminTokens(): Promise<StoredAdminToken[]> {
    return this.rows<StoredAdminToken>(`SELECT ${ADMIN_TOKEN_SELECT} FROM admin_tokens WHERE revoked_at IS NULL ORDER BY name`);
  }

  async allAdminTokens(): Promise<StoredAdminToken[]> {
    return this.rows<StoredAdminToken>(`SELECT ${ADMIN_TOKEN_SELECT} FROM admin_tokens ORDER BY name`);
  }

  async adminToken(name: string): Promise<StoredAdminToken | null> {
    const [row] = await this.rows<StoredAdminToken>(`SELECT ${ADMIN_TOKEN_SELECT} FROM admin_tokens WHERE name = ?`, [name]);
    return row ?? null;
  }

  async insertAdminToken(token: StoredAdminToken): Promise<void> {
    await this.run('INSERT INTO admin_tokens (name, role, hash, created_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?)', [
      token.name,
      token.role,
      token.hash,
      token.createdAt,
      token.createdBy,
      token.revokedAt,
    ]);
  }

  async replaceAdminToken(name: string, hash: string, role: AdminRole, at: string): Promise<void> {
    await this.run('UPDATE admin_tokens SET hash = ?, role = ?, created_at = ?, revoked_at = NULL WHERE name = ?', [hash, role, at, name]);
  }

  async revokeAdminToken(name: string, at: string): Promise<boolean> {
    return (await this.run('UPDATE admin_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL', [at, name])) > 0;
  }

  private async bumpRevision(): Promise<number> {
    const [row] = await this.rows<{ value: string }>(
      `UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE name = 'revision' RETURNING value`,
    );
    return Number(row.value);
  }

  private rows<R>(sql: string, params: readonly unknown[] = [], access: Access = 'model'): R[] | Promise<R[]> {
    return this.db.rows<R>(sql, params, access);
  }

  private run(sql: string, params: readonly unknown[] = [], access: Access = 'model'): number | Promise<number> {
    return this.db.run(sql, params, access);
  }

  private async runRows(statement: RowsStatement, access: Access = 'log'): Promise<void> {
    for (const params of statement.params) await this.run(statement.sql, params, access);
  }
}

/**
 * The store outside a transaction: what takes more than one statement to write runs in a transaction of its own.
 * A dialect adds how a transaction runs and how the store closes.
 */
export abstract class SqlStore extends SqlStatements implements Store {
  abstract transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;

  // One process has an SQLite file: nobody else to exclude. PostgreSQL overrides it.
  exclusiveDownstream<T>(_downstream: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  // The revision and the object land together.
  put<K extends Kind>(kind: K, key: string, value: KindObject[K]): Promise<number> {
    return this.transaction(tx => tx.put(kind, key, value));
  }

  delete(kind: Kind, key: string): Promise<boolean> {
    return this.transaction(tx => tx.delete(kind, key));
  }

  // The version check and the new set land together.
  replaceSigningKeySet(expectedVersion: number, keys: readonly StoredSigningKey[]): Promise<number | null> {
    return this.transaction(tx => tx.replaceSigningKeySet(expectedVersion, keys));
  }

  // A flush of counters lands whole (on SQLite, with one fsync).
  addRefusals(rows: readonly RefusalCount[]): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : this.transaction(tx => tx.addRefusals(rows));
  }

  // Durable once resolved: the commit is on disk.
  commitGrants(batch: GrantBatch): Promise<void> {
    return this.transaction(tx => tx.commitGrants(batch));
  }
}

/**
 * The statements of a grant batch: its audit entries, and the usage it moves forward, sorted so that two instances'
 * batches lock the same usage rows in the same order and cannot deadlock.
 */
export function grantStatements(dialect: SqlDialect, batch: GrantBatch): RowsStatement[] {
  const usage = [...batch.usage].sort((x, y) => compare(x.clientId, y.clientId) || compare(x.scope, y.scope));
  return [
    dialect.insertRows('audit', AUDIT_INSERT_COLUMNS, batch.audit.map(auditRecord)),
    dialect.insertRows('usage', USAGE_COLUMNS, usage.map(u => ({ client_id: u.clientId, scope: u.scope, last_used_at: u.lastUsedAt })), USAGE_FORWARD),
  ].filter(statement => statement.params.length > 0);
}

/** Question marks as PostgreSQL's numbered parameters ($1, $2, ...), leaving quoted text alone. */
export function numberedParameters(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|\?/g, match => (match === '?' ? `$${++n}` : match));
}

interface ValueRow {
  value: string;
  version: number;
}

interface ManagerRow {
  manager: string | null;
  manager_label: string | null;
  managed_since: string | null;
}

interface SigningKeyRow {
  set_version: number | null;
  kid: string | null;
  private_jwk: string | null;
  created_at: string | null;
  activates_at: string | null;
  remove_at: string | null;
}

function emptyManagers(): ManagerIndex {
  return { scopes: {}, roles: {}, clients: {}, 'role-bindings': {} };
}

function toManager(row: ManagerRow): Manager {
  return { digest: row.manager!, label: row.manager_label ?? '', since: row.managed_since ?? '' };
}

/** An audit entry as its row (column names, JSON columns as text). */
function auditRecord(entry: NewAuditEntry): Record<string, string | null> {
  return {
    at: entry.at,
    actor: entry.actor,
    actor_note: entry.actorNote ?? null,
    action: entry.action,
    kind: entry.kind,
    key: entry.key,
    before: jsonOrNull(entry.before),
    after: jsonOrNull(entry.after),
    client_id: entry.clientId,
    requested_scopes: jsonOrNull(entry.requestedScopes),
    granted_scopes: jsonOrNull(entry.grantedScopes),
    reason: entry.reason,
  };
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
