/**
 * A SQLite store in a temporary data directory of its own, for tests of the store and of what runs on it
 * in-process: opened before each test (`'each'`, a clean store every time) or once for the describe block or file
 * (`'all'`), then closed and removed. Read `store` from the answer inside hooks and tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../lib/server/store/sqlite-store';

export function temporarySqliteStore(per: 'each' | 'all'): { store: SqliteStore } {
  const fixture = {} as { store: SqliteStore; dir: string };
  const [before, after] = per === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    fixture.dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
    fixture.store = await SqliteStore.open(fixture.dir);
  });
  after(async () => {
    await fixture.store?.close();
    if (fixture.dir) rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
