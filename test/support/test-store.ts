/**
 * Which store the servers of a test file run on. jest.config.js runs the
 * server's acceptance and reliability tests once per entry of its STORES
 * list (the jest projects `sqlite` and `postgres`); each project's setup file
 * (store-<name>.setup.ts) calls `useStore`, and `startServer`
 * (embedded-server.ts) asks `storeEnvironment` what a server needs.
 *
 * On PostgreSQL, a test file gets one real cluster (postgres.ts), started on
 * its first server and stopped after its last test, and each data directory
 * its own database, so that a restart, or a second server started on the
 * same data directory, finds the same data, as on SQLite.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Postgres, startPostgres } from './postgres';

export type StoreKind = 'sqlite' | 'postgres';

let kind: StoreKind = 'sqlite';
let cluster: Promise<Postgres> | null = null;
const databases = new Map<string, { url: string; adminToken: string }>();

export function useStore(store: StoreKind): void {
  kind = store;
}

export function testStore(): StoreKind {
  return kind;
}

/** The cluster of this test file (started on first use), e.g. to restart it under traffic. */
export function testPostgres(): Promise<Postgres> {
  cluster ??= startPostgres();
  return cluster;
}

/**
 * The environment a server on `dataDir` needs on this file's store: nothing on SQLite; on PostgreSQL its
 * database's URL and a bootstrap admin token (a PostgreSQL store takes it from the environment only).
 */
export async function storeEnvironment(dataDir: string): Promise<Record<string, string>> {
  if (kind === 'sqlite') return {};
  let database = databases.get(dataDir);
  if (!database) {
    const pg = await testPostgres();
    database = { url: pg.createDatabase(`store_${databases.size + 1}`), adminToken: randomBytes(24).toString('base64url') };
    databases.set(dataDir, database);
  }
  return { PROCUREMENT_STORE_URL: database.url, PROCUREMENT_ADMIN_TOKEN: database.adminToken };
}

/** Runs SQL on the PostgreSQL database of the server on `dataDir` (the `postgres` project only), e.g. to age its schema. */
export async function storeSql(dataDir: string, statements: string): Promise<void> {
  const database = databases.get(dataDir);
  if (!database) throw new Error(`no PostgreSQL database for ${dataDir}: storeSql is for servers of the postgres project`);
  (await testPostgres()).sql(statements, new URL(database.url).pathname.slice(1));
}

/** Everything the store of the server on `dataDir` holds, as text (the SQLite files' bytes, or a pg_dump), to look for what must never be stored. */
export async function storeContents(dataDir: string): Promise<string> {
  const database = databases.get(dataDir);
  if (kind === 'sqlite' || !database) {
    const files = ['store.sqlite', 'store.sqlite-wal'].map(f => join(dataDir, f)).filter(f => existsSync(f));
    return files.map(f => readFileSync(f).toString('latin1')).join('');
  }
  return (await testPostgres()).dump(new URL(database.url).pathname.slice(1));
}

export async function stopTestPostgres(): Promise<void> {
  const running = cluster;
  cluster = null;
  databases.clear();
  if (running) await (await running).stop();
}
