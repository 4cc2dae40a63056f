/**
 * Opens the store the configuration names: SQLite in the data directory (the
 * default), or PostgreSQL at `storeUrl`, shared with every other instance
 * started on it. `pg` loads only when it is used.
 */
import { ServerConfig } from '../defaults';
import { SqliteStore } from './sqlite-store';
import { Store } from './store';
import { Logger } from '../log';

export async function openStore(config: ServerConfig, log: Logger): Promise<Store> {
  if (config.storeUrl === null) return SqliteStore.open(config.dataDir);
  const { PostgresStore } = await import('./postgres-store.js');
  return PostgresStore.open(config.storeUrl, log);
}
