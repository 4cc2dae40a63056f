/**
 * The SQLite dialect of the store (sql-store.ts): better-sqlite3, one
 * connection, synchronous calls behind the asynchronous contract of store.ts.
 * What is SQLite's own: JSON read with json_each/json_extract, rows inserted
 * one prepared statement run each, the schema's words, the mutex below and
 * the grant writer's thread.
 *
 * Concurrency: a transaction spans awaits (`transaction(async tx => ...)`),
 * and in between other requests run on the same connection. So one mutex
 * serializes ALL access, reads outside transactions included: a transaction
 * holds it from BEGIN to COMMIT or ROLLBACK, and a statement from outside one
 * waits for it (`SerializedConnection`); with no transaction open, a
 * statement runs at once, synchronously, which the token path relies on (the
 * queue's promises cost a token request more than its reads did, measured
 * 2026-11-29). Serializing only writes would let a read outside a
 * transaction see another request's uncommitted, maybe rolled back, writes
 * (one connection sees its own open transaction): a token issued for a
 * client whose creation is then refused. Every read that must see several
 * rows together is one statement, and every write of several statements runs
 * in a transaction (SqlStore), so waiting per statement is enough. The price
 * is small: a statement waits at most for the transaction in progress, and on
 * SQLite a transaction's callback awaits nothing but the store, whose calls
 * are synchronous underneath, so it holds the lock briefly.
 *
 * Durability: WAL with `synchronous = FULL`, so every commit is fsynced
 * before the admin API answers; an acknowledged write survives `kill -9` and
 * power loss alike. NORMAL would survive a process kill but could lose the
 * last commits on power loss, and admin writes are rare enough that an fsync
 * each costs nothing that matters. Token grants are many: they are committed
 * in batches (oauth/grant-batch.ts), off the event loop and without an fsync
 * of their own (sqlite-grant-writer.ts says why), each answered once its
 * batch is committed: it survives `kill -9`.
 */
import { Mutex } from 'async-mutex';
import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { managerDigest } from '../../model/ownership';
import { migrate } from './schema';
import { SqliteGrantWriter } from './sqlite-grant-writer';
import { grantStatements, SqlConnection, SqlDialect, SqlStatements, SqlStore } from './sql-store';
import { GrantBatch, StoreTransaction } from './store';

/** Up to this many client ids, `namesAnyOf` prefilters by substring (one prepared statement per count). */
const BINDING_PREFILTER_MAX = 16;

export const SQLITE: SqlDialect = {
  // Aliases keep json_each's own `value` column apart from the object's.
  holds: {
    scopes: `EXISTS (SELECT 1 FROM json_each(o.value, '$.scopes') j WHERE j.value = ?)`,
    implies: `EXISTS (SELECT 1 FROM json_each(o.value, '$.implies') j WHERE j.value = ?)`,
    role: `json_extract(o.value, '$.role') = ?`,
    subjects: `EXISTS (SELECT 1 FROM json_each(o.value, '$.subjects') j WHERE json_extract(j.value, '$.clientId') = ?)`,
  },
  jsonText: (column, field) => `json_extract(${column}, '$.${field}')`,
  namesAnyOf(clientIds) {
    // A substring test on the stored (canonical) text first, so that json_each parses only bindings that may
    // name one of the clients: most writes reach a few clients, and parsing every subject of every binding
    // was most of an admission's cost in a 5,000-grant store.
    const few = clientIds.length <= BINDING_PREFILTER_MAX;
    return {
      sql:
        (few ? `(${clientIds.map(() => 'instr(o.value, ?) > 0').join(' OR ')}) AND ` : '') +
        `EXISTS (SELECT 1 FROM json_each(o.value, '$.subjects') j WHERE json_extract(j.value, '$.clientId') IN (SELECT value FROM json_each(?)))`,
      params: [...(few ? clientIds.map(id => `"clientId":${JSON.stringify(id)}`) : []), JSON.stringify(clientIds)],
    };
  },
  // In-process, a prepared statement run once a row costs less than building and parsing one statement for all.
  insertRows(table, columns, rows, conflict = '') {
    const names = Object.keys(columns);
    return {
      sql: `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ${conflict}`,
      params: rows.map(row => names.map(name => row[name])),
    };
  },
  ddl: {
    key: 'TEXT',
    keyed: ' WITHOUT ROWID',
    bigint: 'INTEGER',
    autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    countSecretChanges: `
CREATE TRIGGER IF NOT EXISTS client_secrets_inserted AFTER INSERT ON client_secrets
  BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'secrets'; END;
CREATE TRIGGER IF NOT EXISTS client_secrets_updated AFTER UPDATE ON client_secrets
  BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'secrets'; END;
CREATE TRIGGER IF NOT EXISTS client_secrets_deleted AFTER DELETE ON client_secrets
  BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'secrets'; END;`,
    // SQLite's data directories counted their versions in this history from the start.
    // A function of the connection (SqliteStore.open registers it): SQLite has no SHA-256 of its own.
    managerDigest: column => `manager_digest(${column})`,
    joined: recorded => recorded,
  },
};

/** Statements on the one connection, each prepared once (better-sqlite3 statements are reusable). */
class SqliteConnection implements SqlConnection {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  rows<R>(sql: string, params: readonly unknown[]): R[] {
    return this.statement(sql).all(...params) as R[];
  }

  run(sql: string, params: readonly unknown[]): number {
    return this.statement(sql).run(...params).changes;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** The connection as used from outside a transaction: a statement waits for the transaction in progress, if any (see the header). */
class SerializedConnection implements SqlConnection {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly mutex: Mutex,
  ) {}

  rows<R>(sql: string, params: readonly unknown[]): R[] | Promise<R[]> {
    return this.mutex.isLocked() ? this.mutex.runExclusive(() => this.connection.rows<R>(sql, params)) : this.connection.rows<R>(sql, params);
  }

  run(sql: string, params: readonly unknown[]): number | Promise<number> {
    return this.mutex.isLocked() ? this.mutex.runExclusive(() => this.connection.run(sql, params)) : this.connection.run(sql, params);
  }
}

export class SqliteStore extends SqlStore {
  /** What a transaction's callback reads and writes with: the connection itself, whose mutex the transaction holds. */
  private readonly inTransaction: StoreTransaction;
  /** Started with the first grant batch. */
  private grantWriter: SqliteGrantWriter | null = null;

  /** Opens (creating if needed) `<dataDir>/store.sqlite`, files readable by the owner only, and migrates it. */
  static async open(dataDir: string): Promise<SqliteStore> {
    const file = join(dataDir, 'store.sqlite');
    const fresh = !existsSync(file);
    const db = new Database(file);
    if (fresh) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const connection = new SqliteConnection(db);
    db.function('manager_digest', { deterministic: true }, (id: unknown) => managerDigest(String(id)));
    try {
      // What a migration replaces (a manager id in clear) must not stay behind in a freed cell of the file...
      const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
      db.pragma('secure_delete = ON');
      db.exec('BEGIN IMMEDIATE');
      await migrate(connection, SQLITE.ddl);
      db.exec('COMMIT');
      db.pragma(`secure_delete = ${secureDelete}`);
      // ...nor in the log's copies of the pages as they were: written back into the file, the log emptied.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
      throw e;
    }
    return new SqliteStore(connection, new Mutex());
  }

  private constructor(
    private readonly connection: SqliteConnection,
    /** Held by a transaction from BEGIN to its end (see the header). */
    private readonly mutex: Mutex,
  ) {
    super(new SerializedConnection(connection, mutex), SQLITE);
    this.inTransaction = new SqlStatements(connection, SQLITE);
  }

  /** BEGIN IMMEDIATE under the mutex, as better-sqlite3's `transaction().immediate()` does, but across awaits. */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
      this.connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inTransaction);
        this.connection.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.connection.db.inTransaction) this.connection.exec('ROLLBACK');
        throw e;
      }
    });
  }

  /**
   * On the grant writer's thread and connection (sqlite-grant-writer.ts): its fsync never blocks this one, and it
   * does not take the mutex (holding it through the commit would stall every read meanwhile).
   */
  commitGrants(batch: GrantBatch): Promise<void> {
    this.grantWriter ??= new SqliteGrantWriter(this.connection.db.name);
    return this.grantWriter.commit(grantStatements(SQLITE, batch));
  }

  /** Waits for the transaction in progress, if any, then closes. */
  async close(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      await this.grantWriter?.close();
      this.connection.db.close();
    });
  }
}
