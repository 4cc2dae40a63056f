/**
 * Writes grant batches (GrantBatchStore) on a worker thread with its own
 * connection to the store's database, so that a batch's commit never blocks
 * the event loop. Measured here: one fsync'd commit takes 9 ms (p50) to 27 ms
 * (p99); on the main thread every token request waited through each of them.
 * Off the main thread, requests keep being served (and the next batch keeps
 * gathering) while a batch is written. WAL lets the main thread read
 * meanwhile; its own writes (admin changes) wait on `busy_timeout`.
 *
 * Its connection commits with `synchronous = NORMAL`: in WAL mode a commit is
 * then written to the WAL (the operating system's cache) without an fsync, and
 * survives the death of the process (`kill -9`, a crash), the bar the design
 * sets for an acknowledged write; a power cut or kernel crash can lose the
 * grant batches since the WAL was last synced (every checkpoint, and every
 * admin write, whose connection stays FULL, syncs it). Measured side by side
 * on this (loaded) machine, an fsync per batch halved the token rate
 * (0.4x bare oidc-provider against 0.6-0.9x): with 10 clients in flight a
 * batch holds at most 10 grants, so each fsync is paid by few tokens.
 *
 * Checkpoints (copying the WAL back into the database file, two fsyncs each)
 * run on a second thread and connection, not on the writer's: SQLite's
 * automatic checkpoint runs on the connection that commits, after its commit,
 * so every 1,000 pages (about 100 batches: a grant's audit row and indexes
 * and its usage row touch about 9 pages) a batch waited 20-40 ms for the
 * checkpoint's fsyncs, and every token in flight with it (2026-12-06). A
 * passive checkpoint on the other connection lets the writer go on
 * committing. Under steady load it cannot always catch up (the WAL starts
 * over only when a writer begins once every frame is copied back), so past
 * `maxWalPages` the checkpointer copies the rest while holding writers off
 * (`RESTART`, short: the passive one before it copied most), and the next
 * batch starts the WAL over.
 *
 * The workers are a few lines of plain JavaScript evaluated from strings, so
 * they run the same from the compiled server and from the TypeScript tests.
 */
import { Worker } from 'node:worker_threads';
import { RowsStatement } from './sql-store';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// Checkpoints are the checkpointer's (below): after a commit here, one would hold up the next batch.
db.pragma('wal_autocheckpoint = 0');
const prepared = new Map();
const prepare = sql => {
  let statement = prepared.get(sql);
  if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
  return statement;
};
const commit = db.transaction(statements => {
  for (const { sql, params } of statements) for (const row of params) prepare(sql).run(row);
});
parentPort.on('message', ({ id, statements }) => {
  try {
    commit.immediate(statements);
    parentPort.postMessage({ id });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

const CHECKPOINT_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
  if (log > workerData.maxWalPages) db.pragma('wal_checkpoint(RESTART)');
  setTimeout(checkpoint, workerData.intervalMs);
};
checkpoint();
`;

export interface GrantWriterOptions {
  /** Past this many pages in the WAL, a checkpoint holds writers off until it is copied back whole. @default 10_000 (about 40 MB) */
  maxWalPages?: number;
  /** How often the checkpointer copies the WAL back. @default 250 */
  checkpointIntervalMs?: number;
}

export class SqliteGrantWriter {
  private readonly worker: Worker;
  private readonly checkpointer: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(file: string, options: GrantWriterOptions = {}) {
    const driver = require.resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    // Idle, the worker must not keep the process alive; while a batch is pending, it is referenced.
    this.worker.unref();
    this.worker.on('message', ({ id, error }: { id: number; error?: string }) => this.settle(id, error ? new Error(`the grant batch was not written: ${error}`) : null));
    this.worker.on('error', error => this.fail(error));
    this.worker.on('exit', code => this.fail(new Error(`the grant writer thread exited (code ${code})`)));
    const checkpoints = { maxWalPages: options.maxWalPages ?? 10_000, intervalMs: options.checkpointIntervalMs ?? 250 };
    this.checkpointer = new Worker(CHECKPOINT_SOURCE, { eval: true, workerData: { file, driver, ...checkpoints } });
    this.checkpointer.unref();
    // Without checkpoints the WAL would grow without end: no more grants are written.
    this.checkpointer.on('error', error => this.fail(new Error(`the WAL checkpointer failed: ${error.message}`)));
    this.checkpointer.on('exit', code => this.fail(new Error(`the WAL checkpointer thread exited (code ${code})`)));
  }

  /** Runs the batch's statements (sql-store.ts grantStatements) in one transaction; resolves once it is committed. */
  commit(statements: readonly RowsStatement[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, statements });
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.checkpointer.terminate(), this.worker.terminate()]);
  }

  private settle(id: number, error: Error | null): void {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (error) waiting?.reject(error);
    else waiting?.resolve();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }
}
