/**
 * The SQLite grant writer's checkpoints (sqlite-grant-writer.ts): its own connection never checkpoints after a
 * commit; the checkpointer thread copies the WAL back while batches keep committing, and past `maxWalPages` makes
 * the WAL start over, so that under steady load it stays bounded instead of growing with every grant.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { foldUsage } from '../../../lib/server/oauth/grant-batch';
import { SqliteGrantWriter } from '../../../lib/server/store/sqlite-grant-writer';
import { SQLITE, SqliteStore } from '../../../lib/server/store/sqlite-store';
import { grantStatements } from '../../../lib/server/store/sql-store';
import { NewAuditEntry } from '../../../lib/server/store/store';

const BATCHES = 200;
const GRANTS_PER_BATCH = 10;

function batch(n: number): { audit: NewAuditEntry[]; usage: ReturnType<typeof foldUsage> } {
  const audit = Array.from({ length: GRANTS_PER_BATCH }, (_, i) => ({
    at: new Date().toISOString(), actor: 'bench-client', action: 'token.grant', kind: null, key: `jti-${n}-${i}-${Math.random()}`,
    before: null, after: null, clientId: 'bench-client', requestedScopes: ['catalog.read'], grantedScopes: ['catalog.read'], reason: null,
  }));
  return { audit, usage: foldUsage(audit) };
}

describe('SqliteGrantWriter checkpoints', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })));

  /**
   * Commits batches one after the other until `enough` says so; returns the WAL file's size at the end (the most
   * it held: a WAL that starts over is written from its beginning again), how many times it started over (its
   * header's checkpoint sequence number), the batches written and the grants the store holds.
   */
  async function writeBatches(
    options: ConstructorParameters<typeof SqliteGrantWriter>[1],
    enough: (written: number, restarts: number) => boolean,
  ): Promise<{ walBytes: number; restarts: number; batches: number; grants: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'grant-writer-'));
    dirs.push(dir);
    const store = await SqliteStore.open(dir);
    const file = join(dir, 'store.sqlite');
    const writer = new SqliteGrantWriter(file, options);
    try {
      let batches = 0;
      while (!enough(batches, restartsOf(`${file}-wal`))) await writer.commit(grantStatements(SQLITE, batch(batches++)));
      const reader = new Database(file, { readonly: true });
      const { grants } = reader.prepare(`SELECT count(*) AS grants FROM audit WHERE action = 'token.grant'`).get() as { grants: number };
      reader.close();
      return { walBytes: statSync(`${file}-wal`).size, restarts: restartsOf(`${file}-wal`), batches, grants };
    } finally {
      await writer.close();
      await store.close();
    }
  }

  it('never checkpoints on the connection that commits: the WAL holds every batch', async () => {
    // The checkpointer runs once at start, then not for a minute.
    const unchecked = await writeBatches({ maxWalPages: 1_000_000, checkpointIntervalMs: 60_000 }, written => written === BATCHES);
    expect(unchecked.grants).toBe(BATCHES * GRANTS_PER_BATCH);
    // Each batch adds pages: 1,000 would have set off SQLite's automatic checkpoint on the writer.
    expect(unchecked.restarts).toBe(0);
    expect(unchecked.walBytes).toBeGreaterThan(1_000 * 4096);
  });

  it('starts the WAL over from the checkpointer while batches keep committing', async () => {
    // However long the checkpoints' fsyncs take on this disk: the WAL must start over twice within the deadline.
    const deadline = Date.now() + 60_000;
    const bounded = await writeBatches({ maxWalPages: 50, checkpointIntervalMs: 5 }, (_, restarts) => restarts >= 2 || Date.now() > deadline);
    expect(bounded.restarts).toBeGreaterThanOrEqual(2);
    expect(bounded.grants).toBe(bounded.batches * GRANTS_PER_BATCH);
  });
});

/** The WAL header's checkpoint sequence number: it moves each time the WAL starts over (0 before it exists). */
function restartsOf(wal: string): number {
  if (!existsSync(wal)) return 0;
  const header = Buffer.alloc(16);
  const fd = openSync(wal, 'r');
  try {
    return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
  } finally {
    closeSync(fd);
  }
}
