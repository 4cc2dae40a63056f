/**
 * The PostgreSQL implementation of the store (the official `pg` client, a
 * connection pool), for several server instances on one database. The tables
 * are the SQLite store's (postgres-migrations.ts); values are the same
 * canonical JSON text, read as jsonb where a query looks inside them.
 *
 * Isolation of admin writes: an admin write reads (If-Match, admission over
 * the model as it would be, ownership), then writes. Under READ COMMITTED
 * alone, two instances could both read revision N and both pass, and two
 * bindings that are each fine could together break separation of duties
 * (write skew). So a transaction takes the row lock of the `revision` row
 * (SELECT ... FOR UPDATE) before its first read of anything but audit and
 * usage: admin writes run one at a time across every instance, each seeing
 * every earlier one committed, exactly as SQLite's single writer makes them
 * run. We chose this over SERIALIZABLE with retries because every admin
 * write bumps that row anyway, so under SERIALIZABLE concurrent writes would
 * conflict on it and abort and retry rather than wait; a lock taken first
 * makes them wait, never re-run an admission, and hands out revisions in
 * commit order (monotonic, no gaps seen by a reader). Admin writes are rare;
 * token grants, whose transactions touch only audit and usage, never take
 * the lock.
 *
 * Reads outside a transaction that need a consistent view of several objects
 * (snapshot, a client's effective-scope input) are single statements: one
 * statement sees one snapshot in PostgreSQL.
 *
 * Durability: `synchronous_commit` stays at its default (on): a commit is on
 * the server's disk (and its synchronous standbys, if configured) before the
 * answer. Connection failures become StoreUnavailableError (503, Retry-After).
 */
import { Pool, PoolClient, types as pgTypes } from 'pg';
import { Kind, KindObject, Role, RoleBinding, Scope, Snapshot } from '../../model/types';
import { EffectiveScopeInput } from '../../model/effective-scopes';
import { AdminRole, AuditEntry, AuditQuery, RefusalCount, UsageEntry } from '../../model/admin-api';
import { Manager, ManagerIndex } from '../../model/ownership';
import { canonicalJson } from '../../model/canonical-json';
import { auditFilters, AuditRow, auditPage } from './audit-rows';
import { migratePostgres } from './postgres-migrations';
import { OwnedClient } from '../downstream/adapter';
import { StoreUnavailableError } from './store-unavailable';
import { TOKEN_INPUTS_VERSION, TokenInputsRow, tokenInputsVersionOf } from './token-inputs-version';
import { DownstreamRecord, GrantBatch, HolderField, ListOptions, NewAuditEntry, PolicyRecord, RefusalKey, Store, StoreTransaction, StoredAdminToken, StoredObject, StoredSigningKey } from './store';

/** Connections per instance: the pool bounds what one instance asks of the database. */
const POOL_SIZE = 10;
/** How long a request waits for a connection before it is answered 503. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A statement still running after this long is cancelled (a stuck lock must not hold a request forever). */
const STATEMENT_TIMEOUT_MS = 30_000;
/** A deadlock between two transactions is retried this many times before the caller sees it. */
const DEADLOCK_RETRIES = 3;

const LOCK_REVISION = `SELECT value FROM meta WHERE name = 'revision' FOR UPDATE`;

/** For each holder field, a condition on `o.value` that is true when it names `$2`. */
const HOLDER_CONDITION: Record<HolderField, string> = {
  scopes: `o.value::jsonb -> 'scopes' @> jsonb_build_array($2::text)`,
  implies: `o.value::jsonb -> 'implies' @> jsonb_build_array($2::text)`,
  role: `o.value::jsonb ->> 'role' = $2`,
  subjects: `o.value::jsonb -> 'subjects' @> jsonb_build_array(jsonb_build_object('clientId', $2::text))`,
};

const AUDIT_INSERT_COLUMNS = 'at, actor, actor_note, action, kind, key, before, after, client_id, requested_scopes, granted_scopes, reason';
const AUDIT_RECORD_TYPES =
  'at text, actor text, actor_note text, action text, kind text, key text, before text, after text, ' +
  'client_id text, requested_scopes text, granted_scopes text, reason text';
const ADMIN_TOKEN_COLUMNS = 'name, role, hash, created_at AS "createdAt", created_by AS "createdBy", revoked_at AS "revokedAt"';
/** A row's text length as auditRowBytes counts it (audit-rows.ts), without the 8 it adds for other values: never more. */
const AUDIT_TEXT_BYTES = ['at', 'actor', 'actor_note', 'action', 'kind', 'key', 'before', 'after', 'client_id', 'requested_scopes', 'granted_scopes', 'reason']
  .map(column => `COALESCE(char_length(${column}), 0)`)
  .join(' + ');
const AUDIT_COLUMNS =
  'id, at, actor, actor_note AS "actorNote", action, kind, key, before, after, client_id AS "clientId", ' +
  'requested_scopes AS "requestedScopes", granted_scopes AS "grantedScopes", reason';

type Row = Record<string, unknown>;

/** Every read and write of the store, over one connection (a transaction) or the pool; subclasses say how a statement runs. */
abstract class PgStatements implements StoreTransaction {
  /** Runs one statement; `lock: false` for statements that need not wait for the admin write lock (audit, usage). */
  protected abstract query<R extends Row>(sql: string, params?: unknown[], options?: { lock: boolean }): Promise<R[]>;

  async get<K extends Kind>(kind: K, key: string): Promise<StoredObject<K> | null> {
    const [row] = await this.query<{ value: string; version: number }>('SELECT value, version FROM objects WHERE kind = $1 AND key = $2', [kind, key]);
    return row ? { value: JSON.parse(row.value), version: row.version } : null;
  }

  async list<K extends Kind>(kind: K, options: ListOptions): Promise<StoredObject<K>[]> {
    const rows = await this.query<{ value: string; version: number }>(
      'SELECT value, version FROM objects WHERE kind = $1 AND key > $2 ORDER BY key LIMIT $3',
      [kind, options.after ?? '', options.limit],
    );
    return rows.map(r => ({ value: JSON.parse(r.value), version: r.version }));
  }

  async put<K extends Kind>(kind: K, key: string, value: KindObject[K]): Promise<number> {
    const version = await this.bumpRevision();
    await this.query(
      'INSERT INTO objects (kind, key, value, version) VALUES ($1, $2, $3, $4) ' +
        'ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, version = excluded.version',
      [kind, key, canonicalJson(value), version],
    );
    return version;
  }

  async delete(kind: Kind, key: string): Promise<boolean> {
    const deleted = await this.query('DELETE FROM objects WHERE kind = $1 AND key = $2 RETURNING key', [kind, key]);
    if (deleted.length > 0) await this.bumpRevision();
    return deleted.length > 0;
  }

  async revision(): Promise<number> {
    const [row] = await this.query<{ value: string }>(`SELECT value FROM meta WHERE name = 'revision'`);
    return Number(row.value);
  }

  async tokenInputsVersion(): Promise<string> {
    const [row] = await this.query<TokenInputsRow>(TOKEN_INPUTS_VERSION, [], { lock: false });
    return tokenInputsVersionOf(row);
  }

  async snapshot(): Promise<Snapshot> {
    // One statement, one consistent view: the revision row and every object.
    const rows = await this.query<ObjectRow>(
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
    const rows = await this.query<{ key: string }>(`SELECT o.key FROM objects o WHERE o.kind = $1 AND ${HOLDER_CONDITION[field]} ORDER BY o.key`, [
      holderKind,
      key,
    ]);
    return rows.map(r => r.key);
  }

  async effectiveScopeInput(clientId: string): Promise<EffectiveScopeInput & { scopes: Scope[] }> {
    // One statement (one consistent view, one round trip per token request): the client's bindings, their
    // roles, and every scope (for `implies`).
    const rows = await this.query<{ kind: Kind; value: string }>(
      `WITH b AS (SELECT o.kind, o.key, o.value FROM objects o WHERE o.kind = 'role-bindings' AND ${HOLDER_CONDITION.subjects.replace(/\$2/g, '$1')}) ` +
        `SELECT kind, key, value FROM b ` +
        `UNION ALL SELECT kind, key, value FROM objects WHERE kind = 'roles' AND key IN (SELECT value::jsonb ->> 'role' FROM b) ` +
        `UNION ALL SELECT kind, key, value FROM objects WHERE kind = 'scopes' ORDER BY key`,
      [clientId],
    );
    const of = <T>(kind: Kind) => rows.filter(r => r.kind === kind).map(r => JSON.parse(r.value) as T);
    return { scopes: of<Scope>('scopes'), roles: of<Role>('roles'), roleBindings: of<RoleBinding>('role-bindings') };
  }

  async managerOf(kind: Kind, key: string): Promise<Manager | null> {
    const [row] = await this.query<ManagerRow>('SELECT manager, manager_label, managed_since FROM objects WHERE kind = $1 AND key = $2', [kind, key]);
    return row?.manager ? toManager(row) : null;
  }

  async setManager(kind: Kind, key: string, manager: Manager | null): Promise<void> {
    await this.query('UPDATE objects SET manager = $1, manager_label = $2, managed_since = $3 WHERE kind = $4 AND key = $5', [
      manager?.id ?? null,
      manager?.label ?? null,
      manager?.since ?? null,
      kind,
      key,
    ]);
  }

  async managers(): Promise<ManagerIndex> {
    const index = emptyManagers();
    const rows = await this.query<ManagerRow & { kind: Kind; key: string }>(
      'SELECT kind, key, manager, manager_label, managed_since FROM objects WHERE manager IS NOT NULL ORDER BY kind, key',
    );
    for (const row of rows) index[row.kind][row.key] = toManager(row);
    return index;
  }

  async secretHash(clientId: string): Promise<string | null> {
    const [row] = await this.query<{ hash: string }>('SELECT hash FROM client_secrets WHERE client_id = $1', [clientId]);
    return row?.hash ?? null;
  }

  async setSecretHash(clientId: string, hash: string): Promise<void> {
    await this.query('INSERT INTO client_secrets (client_id, hash) VALUES ($1, $2) ON CONFLICT (client_id) DO UPDATE SET hash = excluded.hash', [
      clientId,
      hash,
    ]);
  }

  async deleteSecretHash(clientId: string): Promise<void> {
    await this.query('DELETE FROM client_secrets WHERE client_id = $1', [clientId]);
  }

  async bindingsNamingAny(clientIds: readonly string[]): Promise<RoleBinding[]> {
    if (clientIds.length === 0) return [];
    const rows = await this.query<{ value: string }>(
      `SELECT o.value FROM objects o WHERE o.kind = 'role-bindings' AND EXISTS (` +
        `SELECT 1 FROM jsonb_array_elements(o.value::jsonb -> 'subjects') s WHERE s ->> 'clientId' = ANY($1::text[])) ORDER BY o.key`,
      [clientIds],
    );
    return rows.map(r => JSON.parse(r.value));
  }

  async policyRecord(): Promise<PolicyRecord | null> {
    const [row] = await this.query<{ environment: string; document: string | null; version: number }>(
      'SELECT environment, document, version FROM policy WHERE id = 1',
    );
    return row ? { environment: row.environment, document: row.document === null ? null : JSON.parse(row.document), version: row.version } : null;
  }

  async initPolicy(environment: string): Promise<void> {
    await this.query('INSERT INTO policy (id, environment, document, version) VALUES (1, $1, NULL, 0) ON CONFLICT (id) DO NOTHING', [environment]);
  }

  async setPolicyDocument(document: unknown): Promise<number> {
    const [row] = await this.query<{ version: number }>('UPDATE policy SET document = $1, version = version + 1 WHERE id = 1 RETURNING version', [
      canonicalJson(document),
    ]);
    if (!row) throw new Error('setPolicyDocument before initPolicy');
    return row.version;
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.insertAudit([entry]);
  }

  async queryAudit(query: Omit<AuditQuery, 'limit'> & { limit: number; maxBytes: number }): Promise<{ entries: AuditEntry[]; more: boolean }> {
    const { where, params } = auditFilters(query, n => `$${n}`);
    params.push(query.maxBytes, query.limit + 1);
    // pg has no row-by-row reads without a cursor, so the byte budget is applied in SQL too: rows that start
    // within the budget, and the first past it (auditPage then decides). AUDIT_TEXT_BYTES counts no more than
    // auditRowBytes does, so no row the page would take is left out.
    const rows = await this.query<AuditRow & { running: string; bytes: string }>(
      `SELECT * FROM (SELECT ${AUDIT_COLUMNS}, ${AUDIT_TEXT_BYTES} AS bytes, SUM(${AUDIT_TEXT_BYTES}) OVER (ORDER BY id) AS running ` +
        `FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}) page ` +
        `WHERE running - bytes <= $${params.length - 1} ORDER BY id LIMIT $${params.length}`,
      params,
      { lock: false },
    );
    return auditPage(rows.map(({ running: _running, bytes: _bytes, ...row }) => row), query.limit, query.maxBytes);
  }

  async pruneAudit(before: string, keepAtMost: number): Promise<number> {
    const byAge = await this.query('DELETE FROM audit WHERE at < $1 RETURNING id', [before], { lock: false });
    // Ids only grow, so the newest `keepAtMost` entries have ids above max(id) - keepAtMost.
    const bySize = await this.query('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - $1 RETURNING id', [keepAtMost], { lock: false });
    return byAge.length + bySize.length;
  }

  async addRefusals(rows: readonly RefusalCount[]): Promise<void> {
    if (rows.length === 0) return;
    // Sorted, so that two instances adding to the same rows lock them in the same order and cannot deadlock.
    const sorted = [...rows].sort((x, y) =>
      compare(x.minute, y.minute) || compare(x.endpoint, y.endpoint) || compare(x.clientId, y.clientId) || compare(x.source, y.source) || compare(x.reason, y.reason),
    );
    const column = <K extends keyof RefusalCount>(key: K) => sorted.map(r => r[key]);
    await this.query(
      'INSERT INTO refusal_counts (minute, endpoint, client_id, source, reason, count) ' +
        'SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) ' +
        'ON CONFLICT (minute, endpoint, client_id, source, reason) DO UPDATE SET count = refusal_counts.count + excluded.count',
      [column('minute'), column('endpoint'), column('clientId'), column('source'), column('reason'), column('count')],
      { lock: false },
    );
  }

  async refusals(query: { since?: string; clientId?: string; after?: RefusalKey; limit: number }): Promise<RefusalCount[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.since !== undefined) where.push(`minute >= ${param(query.since)}`);
    if (query.clientId !== undefined) where.push(`client_id = ${param(query.clientId)}`);
    if (query.after !== undefined) {
      const a = query.after;
      where.push(`(minute, endpoint, client_id, source, reason) > (${[a.minute, a.endpoint, a.clientId, a.source, a.reason].map(param).join(', ')})`);
    }
    const rows = await this.query<Omit<RefusalCount, 'count'> & { count: string }>(
      'SELECT minute, endpoint, client_id AS "clientId", source, reason, count FROM refusal_counts ' +
        `${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY minute, endpoint, client_id, source, reason LIMIT ${param(query.limit)}`,
      params,
      { lock: false },
    );
    return rows.map(r => ({ ...r, count: Number(r.count) }));
  }

  async pruneRefusals(before: string): Promise<number> {
    return (await this.query('DELETE FROM refusal_counts WHERE minute < $1 RETURNING minute', [before], { lock: false })).length;
  }

  /** A batch of token grants: its audit entries and usage. On the store it runs in a transaction of its own (PostgresStore.commitGrants). */
  async commitGrants(batch: GrantBatch): Promise<void> {
    await this.insertAudit(batch.audit);
    if (batch.usage.length === 0) return;
    // Sorted, so that two instances' batches lock the same usage rows in the same order and cannot deadlock; a use
    // only moves forward, since another instance's batch may commit later with older uses.
    const usage = [...batch.usage].sort((x, y) => compare(x.clientId, y.clientId) || compare(x.scope, y.scope));
    await this.query(
      'INSERT INTO usage (client_id, scope, last_used_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ' +
        'ON CONFLICT (client_id, scope) DO UPDATE SET last_used_at = GREATEST(usage.last_used_at, excluded.last_used_at)',
      [usage.map(u => u.clientId), usage.map(u => u.scope), usage.map(u => u.lastUsedAt)],
      { lock: false },
    );
  }

  async downstreamClients(downstream: string): Promise<DownstreamRecord[]> {
    const rows = await this.query<OwnedClient & { pushed: string } & Row>(
      'SELECT client_id AS "clientId", remote_id AS "remoteId", state, pushed FROM downstream_clients WHERE downstream = $1 ORDER BY client_id',
      [downstream],
      { lock: false },
    );
    return rows.map(row => ({ ...row, pushed: JSON.parse(row.pushed) as string[] }));
  }

  async putDownstreamClient(downstream: string, client: DownstreamRecord): Promise<void> {
    await this.query(
      'INSERT INTO downstream_clients (downstream, client_id, remote_id, state, pushed) VALUES ($1, $2, $3, $4, $5) ' +
        'ON CONFLICT (downstream, client_id) DO UPDATE SET remote_id = excluded.remote_id, state = excluded.state, pushed = excluded.pushed',
      [downstream, client.clientId, client.remoteId, client.state, JSON.stringify(client.pushed)],
      { lock: false },
    );
  }

  async deleteDownstreamClient(downstream: string, clientId: string): Promise<void> {
    await this.query('DELETE FROM downstream_clients WHERE downstream = $1 AND client_id = $2', [downstream, clientId], { lock: false });
  }

  async serverKey(name: string, candidate: string): Promise<string> {
    // Two statements: one INSERT ... RETURNING with a SELECT would read a snapshot taken before a racing instance's insert.
    await this.query('INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, candidate], { lock: false });
    const [row] = await this.query<{ value: string }>('SELECT value FROM server_keys WHERE name = $1', [name], { lock: false });
    return row.value;
  }

  async signingKeySet(): Promise<{ version: number; keys: StoredSigningKey[] }> {
    // One statement: the version and the keys it counts, seen together.
    const rows = await this.query<SigningKeyRow>(
      'SELECT version AS set_version, NULL AS kid, NULL AS private_jwk, NULL AS created_at, NULL AS activates_at, NULL AS remove_at FROM signing_key_set WHERE id = 1 ' +
        'UNION ALL SELECT NULL, kid, private_jwk, created_at, activates_at, remove_at FROM signing_keys ORDER BY activates_at, kid',
      [],
      { lock: false },
    );
    const version = rows.find(r => r.set_version !== null)?.set_version ?? 0;
    const keys = rows
      .filter(r => r.kid !== null)
      .map(r => ({ kid: r.kid!, privateJwk: JSON.parse(r.private_jwk!), createdAt: r.created_at!, activatesAt: r.activates_at!, removeAt: r.remove_at }));
    return { version, keys };
  }

  async signingKeySetVersion(): Promise<number> {
    const [row] = await this.query<{ version: number }>('SELECT version FROM signing_key_set WHERE id = 1', [], { lock: false });
    return row?.version ?? 0;
  }

  /** Compare and set on the set's version row: a racing instance's UPDATE waits for this one, then finds the version moved. */
  async replaceSigningKeySet(expectedVersion: number, keys: readonly StoredSigningKey[]): Promise<number | null> {
    const bumped =
      expectedVersion === 0
        ? await this.query('INSERT INTO signing_key_set (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING RETURNING version', [], { lock: false })
        : await this.query('UPDATE signing_key_set SET version = version + 1 WHERE id = 1 AND version = $1 RETURNING version', [expectedVersion], {
            lock: false,
          });
    if (bumped.length === 0) return null;
    await this.query('DELETE FROM signing_keys', [], { lock: false });
    await this.query(
      'INSERT INTO signing_keys (kid, private_jwk, created_at, activates_at, remove_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])',
      [keys.map(k => k.kid), keys.map(k => JSON.stringify(k.privateJwk)), keys.map(k => k.createdAt), keys.map(k => k.activatesAt), keys.map(k => k.removeAt)],
      { lock: false },
    );
    return expectedVersion + 1;
  }

  async upgradeSecretHash(clientId: string, from: string, to: string): Promise<boolean> {
    const rows = await this.query('UPDATE client_secrets SET hash = $1 WHERE client_id = $2 AND hash = $3 RETURNING client_id', [to, clientId, from], {
      lock: false,
    });
    return rows.length > 0;
  }

  async usage(clientId?: string): Promise<UsageEntry[]> {
    const rows = await this.query<{ client_id: string; scope: string; last_used_at: string }>(
      clientId === undefined ? 'SELECT * FROM usage ORDER BY client_id, scope' : 'SELECT * FROM usage WHERE client_id = $1 ORDER BY scope',
      clientId === undefined ? [] : [clientId],
      { lock: false },
    );
    return rows.map(r => ({ clientId: r.client_id, scope: r.scope, lastUsedAt: r.last_used_at }));
  }

  async activeAdminTokens(): Promise<StoredAdminToken[]> {
    return this.query<StoredAdminToken & Row>(`SELECT ${ADMIN_TOKEN_COLUMNS} FROM admin_tokens WHERE revoked_at IS NULL ORDER BY name`);
  }

  async allAdminTokens(): Promise<StoredAdminToken[]> {
    return this.query<StoredAdminToken & Row>(`SELECT ${ADMIN_TOKEN_COLUMNS} FROM admin_tokens ORDER BY name`);
  }

  async adminToken(name: string): Promise<StoredAdminToken | null> {
    const [row] = await this.query<StoredAdminToken & Row>(`SELECT ${ADMIN_TOKEN_COLUMNS} FROM admin_tokens WHERE name = $1`, [name]);
    return row ?? null;
  }

  async insertAdminToken(token: StoredAdminToken): Promise<void> {
    await this.query('INSERT INTO admin_tokens (name, role, hash, created_at, created_by, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      token.name,
      token.role,
      token.hash,
      token.createdAt,
      token.createdBy,
      token.revokedAt,
    ]);
  }

  async replaceAdminToken(name: string, hash: string, role: AdminRole, at: string): Promise<void> {
    await this.query('UPDATE admin_tokens SET hash = $1, role = $2, created_at = $3, revoked_at = NULL WHERE name = $4', [hash, role, at, name]);
  }

  async revokeAdminToken(name: string, at: string): Promise<boolean> {
    const rows = await this.query('UPDATE admin_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL RETURNING name', [at, name]);
    return rows.length > 0;
  }

  /** One statement for any number of entries: the rows travel as one JSON array. */
  private async insertAudit(entries: readonly NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.query(
      `INSERT INTO audit (${AUDIT_INSERT_COLUMNS}) SELECT ${AUDIT_INSERT_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${AUDIT_RECORD_TYPES})`,
      [JSON.stringify(entries.map(auditRecord))],
      { lock: false },
    );
  }

  private async bumpRevision(): Promise<number> {
    const [row] = await this.query<{ value: string }>(
      `UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text WHERE name = 'revision' RETURNING value`,
    );
    return Number(row.value);
  }
}

/** The statements of one transaction, on its own connection; takes the admin write lock before its first statement that needs it. */
class PgTransaction extends PgStatements {
  private locked: Promise<unknown> | null = null;

  constructor(private readonly client: PoolClient) {
    super();
  }

  protected async query<R extends Row>(sql: string, params: unknown[] = [], { lock } = { lock: true }): Promise<R[]> {
    try {
      if (lock) await (this.locked ??= this.client.query(LOCK_REVISION));
      return (await this.client.query<R>(sql, params)).rows;
    } catch (e) {
      throw asStoreError(e);
    }
  }
}

export class PostgresStore extends PgStatements implements Store {
  private constructor(private readonly pool: Pool) {
    super();
  }

  /**
   * Connects to `url` (postgres://user:password@host:port/database), runs the migrations and answers the
   * store. `log` hears about connections the database dropped while idle (never the URL: it may hold a password).
   */
  static async open(url: string, log: (line: string) => void): Promise<PostgresStore> {
    const pool = new Pool({
      connectionString: url,
      max: POOL_SIZE,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: 'procurement-scopes',
      // BIGINT (revisions, versions, audit ids) as numbers: they stay far below 2^53.
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pgTypes.builtins.INT8 ? Number : pgTypes.getTypeParser(oid, format))) as never },
    });
    // An idle connection the database closed (a restart) is an event, not a crash: the pool drops it and opens a new one when needed.
    pool.on('error', error => log(`warning: PostgreSQL dropped an idle connection (${error.message}); the next request opens a new one`));
    try {
      await migratePostgres(pool);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return new PostgresStore(pool);
  }

  protected async query<R extends Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (e) {
      throw asStoreError(e);
    }
  }

  // put and delete bump the revision and write the object: two statements that must land together.
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

  // Durable once resolved: a commit with synchronous_commit on (PostgreSQL's default).
  commitGrants(batch: GrantBatch): Promise<void> {
    return this.transaction(tx => tx.commitGrants(batch));
  }

  /** Runs `fn` in one transaction on one connection: everything it writes lands together or not at all. */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw asStoreError(e);
      }
      let broken = false;
      // A connection the database drops while it is checked out (between two statements of this transaction)
      // reports it as an 'error' event; unheard, that event would end the process. The next statement fails too.
      const dropped = () => (broken = true);
      client.on('error', dropped);
      try {
        await client.query('BEGIN');
        const result = await fn(new PgTransaction(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        const error = asStoreError(e);
        if (error instanceof StoreUnavailableError) broken = true;
        if (isDeadlock(e) && attempt <= DEADLOCK_RETRIES) continue;
        throw error;
      } finally {
        client.off('error', dropped);
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** SQLSTATE classes and socket errors that mean "the database cannot answer now", not "the request is wrong". */
const UNAVAILABLE_STATES = /^(08|53|57P0[1-3])/;
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/i;

function asStoreError(e: unknown): unknown {
  if (e instanceof StoreUnavailableError) return e;
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKET.has(code))) || UNAVAILABLE_MESSAGE.test(message ?? '');
  return unavailable ? new StoreUnavailableError(`PostgreSQL: ${code ?? ''} ${message ?? String(e)}`.trim()) : e;
}

function isDeadlock(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === '40P01';
}

interface ManagerRow extends Row {
  manager: string | null;
  manager_label: string | null;
  managed_since: string | null;
}

interface SigningKeyRow extends Row {
  set_version: number | null;
  kid: string | null;
  private_jwk: string | null;
  created_at: string | null;
  activates_at: string | null;
  remove_at: string | null;
}

interface ObjectRow extends ManagerRow {
  kind: string;
  key: string;
  value: string;
}

function emptyManagers(): ManagerIndex {
  return { scopes: {}, roles: {}, clients: {}, 'role-bindings': {} };
}

function toManager(row: ManagerRow): Manager {
  return { id: row.manager!, label: row.manager_label ?? '', since: row.managed_since ?? '' };
}

/** An audit entry as the row jsonb_to_recordset reads (column names, JSON columns as text). */
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

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

