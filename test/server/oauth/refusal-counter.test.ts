/** Refusal counters against the real SQLite store: batches, bounded rows, paging keys, retention. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RefusalCount } from '../../../lib/model/admin-api';
import { ServerMetrics } from '../../../lib/server/metrics/server-metrics';
import { RefusalCounter } from '../../../lib/server/oauth/refusal-counter';
import { SqliteStore } from '../../../lib/server/store/sqlite-store';
import { SILENT_LOG } from '../../../lib/server/log';

let dir: string;
let store: SqliteStore;
let now: Date;
const counters: RefusalCounter[] = [];

function counter(options: { maxRowsPerMinute?: number } = {}, into: Pick<SqliteStore, 'addRefusals'> = store) {
  const made = new RefusalCounter({ store: into as SqliteStore, now: () => now, log: SILENT_LOG, metrics: new ServerMetrics(store, () => now), maxRowsPerMinute: options.maxRowsPerMinute ?? 100, flushIntervalMs: 60_000 });
  counters.push(made);
  return made;
}

const refusal = (clientId: string, source = '192.0.2.1') => ({ endpoint: 'token' as const, clientId, source, reason: 'invalid_client' as const });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refusal-counter-'));
  store = await SqliteStore.open(dir);
  now = new Date('2026-11-29T14:05:30Z');
});

afterEach(async () => {
  await Promise.all(counters.splice(0).map(c => c.close()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('counts refusals per minute, client, source and reason, and writes them in one batch per flush', async () => {
  const writes: RefusalCount[][] = [];
  const c = counter({}, {
    addRefusals: async rows => {
      writes.push([...rows]);
      await store.addRefusals(rows);
    },
  });
  for (let i = 0; i < 1_000; i++) c.record(refusal('unknown'));
  c.record(refusal('erp'));
  await c.flush();
  expect(writes).toHaveLength(1);
  now = new Date('2026-11-29T14:06:01Z');
  c.record(refusal('unknown'));
  await c.flush();
  c.record(refusal('unknown'));
  await c.flush();
  expect(writes).toHaveLength(3);
  expect(await store.refusals({ limit: 10 })).toEqual([
    { minute: '2026-11-29T14:05:00.000Z', endpoint: 'token', clientId: 'erp', source: '192.0.2.1', reason: 'invalid_client', count: 1 },
    { minute: '2026-11-29T14:05:00.000Z', endpoint: 'token', clientId: 'unknown', source: '192.0.2.1', reason: 'invalid_client', count: 1_000 },
    { minute: '2026-11-29T14:06:00.000Z', endpoint: 'token', clientId: 'unknown', source: '192.0.2.1', reason: 'invalid_client', count: 2 },
  ]);
});

test('past maxRowsPerMinute distinct rows in a minute, further sources count as other', async () => {
  const c = counter({ maxRowsPerMinute: 5 });
  for (let i = 0; i < 500; i++) c.record(refusal('unknown', `198.51.100.${i % 250}`));
  await c.flush();
  const rows = await store.refusals({ limit: 1000 });
  expect(rows).toHaveLength(6);
  expect(rows.find(r => r.source === 'other')?.count).toBe(500 - 10);
  // The next minute starts afresh.
  now = new Date('2026-11-29T14:06:00Z');
  c.record(refusal('unknown', '203.0.113.9'));
  await c.flush();
  expect((await store.refusals({ since: '2026-11-29T14:06:00.000Z', limit: 10 })).map(r => r.source)).toEqual(['203.0.113.9']);
});

test('keeps the counts of a failed write for the next flush', async () => {
  let fail = true;
  const c = counter({}, { addRefusals: async rows => (fail ? Promise.reject(new Error('disk full')) : store.addRefusals(rows)) });
  c.record(refusal('unknown'));
  await c.flush();
  c.record(refusal('unknown'));
  fail = false;
  await c.flush();
  expect((await store.refusals({ limit: 10 })).map(r => r.count)).toEqual([2]);
});

test('pages by key, filters by client and time, and prunes minutes past retention', async () => {
  const c = counter();
  for (const id of ['a', 'b', 'c']) c.record(refusal(id));
  now = new Date('2026-11-30T00:00:00Z');
  c.record(refusal('a'));
  await c.flush();
  const first = await store.refusals({ limit: 2 });
  const rest = await store.refusals({ limit: 10, after: first[1] });
  expect([...first, ...rest].map(r => `${r.minute.slice(0, 10)} ${r.clientId}`)).toEqual(['2026-11-29 a', '2026-11-29 b', '2026-11-29 c', '2026-11-30 a']);
  expect((await store.refusals({ clientId: 'a', limit: 10 })).length).toBe(2);
  expect(await store.pruneRefusals('2026-11-29T23:00:00.000Z')).toBe(3);
  expect((await store.refusals({ limit: 10 })).map(r => r.clientId)).toEqual(['a']);
});
