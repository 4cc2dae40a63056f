/**
 * The audit's (kind, key) index holds object entries only (schema step 8): a token grant's entry (no kind; its key
 * is the token's random jti) stays out of it, and the audit of one object, the query the index is for, still uses
 * it. Checked on both stores with the SQL the store itself runs, planned with its parameters bound as the store binds
 * them (on PostgreSQL as a generic plan: it must hold whatever the values).
 */
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { Kind } from '../../../lib/model/types';
import { SILENT_LOG } from '../../../lib/server/log';
import { PostgresStore } from '../../../lib/server/store/postgres-store';
import { NewAuditEntry, Store } from '../../../lib/server/store/store';
import { Postgres, startPostgres } from '../../support/postgres';
import { temporarySqliteStore } from '../../support/sqlite-store-fixture';

const entry = (kind: Kind | null, key: string, action: string): NewAuditEntry => ({
  at: '2026-12-06T20:00:00.000Z',
  actor: 'test',
  action,
  kind,
  key,
  before: null,
  after: null,
  clientId: kind === null ? 'erp' : null,
  requestedScopes: kind === null ? ['catalog.read'] : null,
  grantedScopes: kind === null ? ['catalog.read'] : null,
  reason: null,
});

/** A token grant and an object's change in the audit; the object's audit read back, with the SQL that read it. */
async function objectAudit(store: Store, spy: jest.SpyInstance): Promise<{ sql: string; params: unknown[] }> {
  await store.appendAudit(entry(null, 'jti-3f9a', 'token.grant'));
  await store.appendAudit(entry('scopes', 'catalog.read', 'create'));
  spy.mockClear();
  const { entries } = await store.queryAudit({ kind: 'scopes', key: 'catalog.read', limit: 50, maxBytes: 1 << 20 });
  expect(entries.map(e => [e.action, e.kind, e.key])).toEqual([['create', 'scopes', 'catalog.read']]);
  const [sql, params] = spy.mock.calls.find(([text]) => String(text).includes('FROM audit')) as [string, unknown[]];
  return { sql, params };
}

describe('SQLite', () => {
  const fixture = temporarySqliteStore('each');

  test('the index is partial, and the audit of one object is searched through it', async () => {
    const { store } = fixture;
    const connection = (store as unknown as { connection: { db: Database.Database; rows: (sql: string, params: unknown[]) => unknown } }).connection;
    const { sql, params } = await objectAudit(store, jest.spyOn(connection, 'rows'));
    const plan = (connection.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(r => r.detail);
    expect(plan).toContainEqual(expect.stringMatching(/^SEARCH audit USING (COVERING )?INDEX audit_object \(kind=\? AND key=\?\)$/));
    const indexes = connection.db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' ORDER BY name`).all();
    expect(indexes).toContainEqual({ name: 'audit_object', sql: 'CREATE INDEX audit_object ON audit (kind, key) WHERE kind IS NOT NULL' });
    expect(indexes).not.toContainEqual(expect.objectContaining({ name: 'audit_kind_key' }));
  });
});

describe('PostgreSQL', () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  test('the index is partial, and the audit of one object is searched through it in the generic plan', async () => {
    const url = pg.createDatabase('audit_index');
    const store = await PostgresStore.open(url, SILENT_LOG);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const pool = (store as unknown as { pool: { query: (sql: string, params: unknown[]) => unknown } }).pool;
      const { sql, params } = await objectAudit(store, jest.spyOn(pool, 'query'));
      // Two rows: a sequential scan would be cheaper; what matters is that the index can serve the query at all.
      await client.query('SET enable_seqscan = off');
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE audit_of_object AS ${sql}`);
      const literal = (value: unknown) => (typeof value === 'number' ? String(value) : `'${String(value)}'`);
      const plan = (await client.query(`EXPLAIN EXECUTE audit_of_object(${params.map(literal).join(', ')})`)).rows.map(r => r['QUERY PLAN'] as string);
      expect(plan.join('\n')).toMatch(/Index (Only )?Scan using audit_object on audit/);
      const indexes = (await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit' ORDER BY indexname`)).rows;
      expect(indexes).toContainEqual({ indexname: 'audit_object', indexdef: 'CREATE INDEX audit_object ON public.audit USING btree (kind, key) WHERE (kind IS NOT NULL)' });
      expect(indexes).not.toContainEqual(expect.objectContaining({ indexname: 'audit_kind_key' }));
    } finally {
      await client.end();
      await store.close();
    }
  });
});
