/**
 * Data kept by the two stores before they became one store over two dialects opens, migrates and loses nothing:
 * a SQLite data directory at its schema version 4 and a PostgreSQL database at its own version 3 (fixtures/, made
 * by the stores of that time through their Store methods; answers.json is what those stores then answered, the
 * same on both but for the secrets counter, which PostgreSQL's statement trigger also bumps on an upsert's insert).
 * After the migration the store answers the same, takes writes where the old counters left off, and has the
 * schema that a new database gets from the one migration history.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { managerDigest } from '../../../lib/model/ownership';
import { PostgresStore } from '../../../lib/server/store/postgres-store';
import { SCHEMA_VERSION } from '../../../lib/server/store/schema';
import { SqliteStore } from '../../../lib/server/store/sqlite-store';
import { Store } from '../../../lib/server/store/store';
import { Postgres, startPostgres } from '../../support/postgres';
import { SILENT_LOG } from '../../../lib/server/log';

const FIXTURES = join(__dirname, 'fixtures');
/** What the old stores answered, but for the managers, answered since step 6 by their ids' digests (the ids hashed by it). */
const ANSWERS = JSON.parse(readFileSync(join(FIXTURES, 'answers.json'), 'utf8'), (_key, value: unknown) => {
  if (typeof value !== 'object' || value === null || !('id' in value) || !('since' in value)) return value;
  const { id, ...rest } = value as { id: string };
  return { digest: managerDigest(id), ...rest };
});
const REFUSAL = { minute: '2026-11-30T10:04:00.000Z', endpoint: 'token', clientId: 'unknown', source: '127.0.0.1', reason: 'invalid_client' } as const;

/** The reads the fixtures' answers were taken with. */
async function answers(store: Store): Promise<unknown> {
  return {
    revision: await store.revision(),
    tokenInputsVersion: await store.tokenInputsVersion(),
    snapshot: await store.snapshot(),
    holders: await store.holdersOf('roles', 'scopes', 'catalog.read'),
    effective: await store.effectiveScopeInput('supplier-portal'),
    bindings: await store.bindingsNamingAny(['supplier-portal']),
    manager: await store.managerOf('scopes', 'catalog.read'),
    secretHash: await store.secretHash('supplier-portal'),
    audit: await store.queryAudit({ limit: 10, maxBytes: 1 << 20 }),
    usage: await store.usage(),
    policy: await store.policyRecord(),
    adminTokens: await store.allAdminTokens(),
    serverKey: await store.serverKey('client-secret-hmac', 'other'),
    signingKeys: await store.signingKeySet(),
    refusals: await store.refusals({ limit: 10 }),
  };
}

/** Writes after the migration go on from the old counters: revision, audit ids, the secrets counter, refusal counts. */
async function writesGoOn(store: Store): Promise<void> {
  expect(await store.put('scopes', 'catalog.list', { name: 'catalog.list', description: 'List', risk: 'low', external: false, implies: [] })).toBe(9);
  await store.appendAudit({
    at: '2026-12-01T00:00:00.000Z', actor: 'bootstrap', action: 'create', kind: 'scopes', key: 'catalog.list',
    before: null, after: null, clientId: null, requestedScopes: null, grantedScopes: null, reason: null,
  });
  expect((await store.queryAudit({ limit: 10, maxBytes: 1 << 20 })).entries.map(e => e.id)).toEqual([1, 2, 3]);
  const version = await store.tokenInputsVersion();
  await store.setSecretHash('supplier-portal', 'hash-v2');
  expect(await store.tokenInputsVersion()).not.toBe(version);
  await store.addRefusals([{ ...REFUSAL, count: 2 }]);
  expect(await store.refusals({ limit: 10 })).toEqual([{ ...REFUSAL, count: 5 }]);
}

describe('a SQLite data directory at schema version 4', () => {
  let dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  function dataDir(fixture?: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'legacy-sqlite-'));
    dirs.push(dir);
    if (fixture) {
      const db = new Database(join(dir, 'store.sqlite'));
      db.exec(readFileSync(join(FIXTURES, fixture), 'utf8'));
      db.close();
    }
    return dir;
  }

  test('opens at the current version, answers what the old store answered, and takes writes', async () => {
    const dir = dataDir('sqlite-schema-4.sql');
    const store = await SqliteStore.open(dir);
    try {
      expect(await answers(store)).toEqual({ ...ANSWERS, tokenInputsVersion: '8.1.1' });
      await writesGoOn(store);
    } finally {
      await store.close();
    }
    const reopened = await SqliteStore.open(dir);
    try {
      expect((await reopened.get('scopes', 'catalog.list'))?.version).toBe(9);
    } finally {
      await reopened.close();
    }
    const db = new Database(join(dir, 'store.sqlite'), { readonly: true });
    expect(db.prepare(`SELECT value FROM meta WHERE name = 'schema_version'`).get()).toEqual({ value: String(SCHEMA_VERSION) });
    db.close();
  });

  test('ends with the schema a new data directory gets', async () => {
    const schemaOf = async (dir: string) => {
      await (await SqliteStore.open(dir)).close();
      const db = new Database(join(dir, 'store.sqlite'), { readonly: true });
      // An index's definition too (a partial one's WHERE): tables are compared by their columns below.
      const objects = db
        .prepare(`SELECT type, name, tbl_name, CASE type WHEN 'index' THEN sql END AS sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
        .all() as { type: string; name: string }[];
      const columns = objects.filter(o => o.type === 'table').map(t => [t.name, db.pragma(`table_info(${t.name})`)]);
      db.close();
      return { objects, columns };
    };
    expect(await schemaOf(dataDir('sqlite-schema-4.sql'))).toEqual(await schemaOf(dataDir()));
  });
});

describe('a PostgreSQL database at its own schema version 3', () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg.stop());

  async function query<R>(url: string, sql: string): Promise<R[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as R[];
    } finally {
      await client.end();
    }
  }

  test('opens at the current version, answers what the old store answered, and takes writes', async () => {
    const url = pg.createDatabase('legacy_answers');
    pg.load(join(FIXTURES, 'postgres-schema-3.sql'), 'legacy_answers');
    const store = await PostgresStore.open(url, SILENT_LOG);
    try {
      expect(await answers(store)).toEqual({ ...ANSWERS, tokenInputsVersion: '8.1.2' });
      await writesGoOn(store);
    } finally {
      await store.close();
    }
    expect(await query(url, `SELECT value FROM meta WHERE name = 'schema_version'`)).toEqual([{ value: String(SCHEMA_VERSION) }]);
  });

  test('ends with the schema a new database gets', async () => {
    const schemaOf = async (name: string, fixture?: string) => {
      const url = pg.createDatabase(name);
      if (fixture) pg.load(join(FIXTURES, fixture), name);
      await (await PostgresStore.open(url, SILENT_LOG)).close();
      return {
        columns: await query(
          url,
          `SELECT table_name, column_name, data_type, is_nullable, collation_name, column_default FROM information_schema.columns ` +
            `WHERE table_schema = 'public' ORDER BY table_name, column_name`,
        ),
        indexes: await query(url, `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
        triggers: await query(url, `SELECT trigger_name, event_manipulation, action_statement FROM information_schema.triggers ORDER BY trigger_name, event_manipulation`),
        checks: await query(url, `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' ORDER BY conname`),
      };
    };
    expect(await schemaOf('legacy_schema', 'postgres-schema-3.sql')).toEqual(await schemaOf('fresh_schema'));
  });
});
