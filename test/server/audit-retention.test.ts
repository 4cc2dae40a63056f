/**
 * Audit retention (by age and by count) and audit pages bounded in bytes: the store (SQLite, and PostgreSQL on a
 * cluster of this file's own), the sweep, and the server's options.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Retention } from '../../lib/server/retention';
import { PostgresStore } from '../../lib/server/store/postgres-store';
import { NewAuditEntry, Store } from '../../lib/server/store/store';
import { SqliteStore } from '../../lib/server/store/sqlite-store';
import { startServer } from '../support/embedded-server';
import { Postgres, startPostgres } from '../support/postgres';
import { SILENT_LOG, createLog } from '../../lib/server/log';

const entry = (at: string, after: unknown = null): NewAuditEntry => ({
  at,
  actor: 'test',
  action: 'put',
  kind: 'scopes',
  key: 'x',
  before: null,
  after,
  clientId: null,
  requestedScopes: null,
  grantedScopes: null,
  reason: null,
});

let postgres: Promise<Postgres> | null = null;
let databases = 0;
afterAll(async () => (await postgres)?.stop());

/** Each store, opened empty; `done` closes it and removes what it kept. */
const STORES: Record<string, () => Promise<{ store: Store; done: () => Promise<void> }>> = {
  SQLite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-retention-'));
    const store = await SqliteStore.open(dir);
    return { store, done: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
  },
  PostgreSQL: async () => {
    const pg = await (postgres ??= startPostgres());
    const store = await PostgresStore.open(pg.createDatabase(`audit_${++databases}`), SILENT_LOG);
    return { store, done: () => store.close() };
  },
};

describe.each(Object.keys(STORES))('the store on %s', name => {
  let store: Store;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await STORES[name]());
  });
  afterEach(() => done());

  test('prunes entries older than the retention and the oldest past the count', async () => {
    for (let day = 1; day <= 9; day++) await store.appendAudit(entry(`2026-11-0${day}T12:00:00.000Z`));
    expect(await store.pruneAudit('2026-11-04T00:00:00.000Z', 1_000)).toBe(3);
    expect(await store.pruneAudit('2026-11-04T00:00:00.000Z', 4)).toBe(2);
    const { entries } = await store.queryAudit({ limit: 100, maxBytes: 1 << 20 });
    expect(entries.map(e => e.at.slice(8, 10))).toEqual(['06', '07', '08', '09']);
  });

  test('ends a page of large entries at the byte budget and says more follow; a single entry larger than it still comes', async () => {
    const large = { description: 'x'.repeat(300_000) };
    for (let i = 0; i < 10; i++) await store.appendAudit(entry('2026-11-29T12:00:00.000Z', large));
    const first = await store.queryAudit({ limit: 1_000, maxBytes: 1_000_000 });
    expect(first.entries).toHaveLength(3);
    expect(first.more).toBe(true);
    const alone = await store.queryAudit({ limit: 1_000, maxBytes: 1_000 });
    expect(alone.entries).toHaveLength(1);
    expect(alone.more).toBe(true);
    const last = await store.queryAudit({ limit: 1_000, maxBytes: 1_000_000, after: String(first.entries[2].id + 6) });
    expect(last).toMatchObject({ entries: [expect.anything()], more: false });
  });

  test('the sweep runs at start and prunes audit and refusal counters by their own retention', async () => {
    await store.appendAudit(entry('2026-01-01T00:00:00.000Z'));
    await store.appendAudit(entry('2026-11-28T00:00:00.000Z'));
    await store.addRefusals([{ minute: '2026-10-01T00:00:00.000Z', endpoint: 'token', clientId: 'unknown', source: 'none', reason: 'other', count: 1 }]);
    const lines: string[] = [];
    const retention = new Retention({
      store,
      now: () => new Date('2026-11-29T00:00:00Z'),
      log: createLog('info', { write: (line: string) => void lines.push(JSON.parse(line).msg) }),
      auditRetentionDays: 30,
      auditMaxEntries: 100,
      refusalRetentionDays: 30,
      retentionSweepSeconds: 3600,
    });
    await retention.close();
    expect((await store.queryAudit({ limit: 10, maxBytes: 1 << 20 })).entries.map(e => e.at)).toEqual(['2026-11-28T00:00:00.000Z']);
    expect(await store.refusals({ limit: 10 })).toEqual([]);
    expect(lines).toEqual(['retention: removed 1 audit entries and 1 refusal counters']);
  });
});

test('a server started with --audit-max-entries keeps at most that many entries, sweeping every --retention-sweep seconds', async () => {
  const server = await startServer({ args: ['--audit-max-entries', '5', '--retention-sweep', '1'] });
  try {
    for (let i = 0; i < 12; i++) {
      await server.admin.put('scopes', { name: `s.n${i}`, description: `Scope ${i}`, risk: 'low', external: false, implies: [] } as never, `s.n${i}`);
    }
    const deadline = Date.now() + 15_000;
    let items = (await server.admin.audit({ limit: 100 })).items;
    while (items.length > 5 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 200));
      items = (await server.admin.audit({ limit: 100 })).items;
    }
    expect(items.map(e => e.key)).toEqual(['s.n7', 's.n8', 's.n9', 's.n10', 's.n11']);
    expect(server.stderr()).toMatch(/retention: removed \d+ audit entries/);
  } finally {
    await server.stop();
  }
});
