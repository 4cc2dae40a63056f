/**
 * The PostgreSQL dialect of the store (sql-store.ts): the official `pg`
 * client and a connection pool, for several server instances on one
 * database. What is PostgreSQL's own: numbered parameters, JSON read as
 * jsonb, many rows inserted as one jsonb parameter (one round trip), the
 * schema's words, the revision lock, deadlock retry, and connection failures
 * as StoreUnavailableError (503, Retry-After).
 *
 * Isolation of admin writes: an admin write reads (If-Match, admission over
 * the model as it would be, ownership), then writes. Under READ COMMITTED
 * alone, two instances could both read revision N and both pass, and two
 * bindings that are each fine could together break separation of duties
 * (write skew). So a transaction takes the row lock of the `revision` row
 * (SELECT ... FOR UPDATE) before its first statement on the model (`Access`
 * in sql-store.ts): admin writes run one at a time across every instance,
 * each seeing every earlier one committed, exactly as SQLite's single writer
 * makes them run. We chose this over SERIALIZABLE with retries because every
 * admin write bumps that row anyway, so under SERIALIZABLE concurrent writes
 * would conflict on it and abort and retry rather than wait; a lock taken
 * first makes them wait, never re-run an admission, and hands out revisions
 * in commit order (monotonic, no gaps seen by a reader). Admin writes are
 * rare; token grants, whose transactions touch only audit and usage, never
 * take the lock.
 *
 * Reads outside a transaction that need a consistent view of several rows are
 * single statements (sql-store.ts): one statement sees one snapshot.
 *
 * Durability: `synchronous_commit` stays at its default (on): a commit is on
 * the server's disk (and its synchronous standbys, if configured) before the
 * answer.
 */
import { Pool, PoolClient, types as pgTypes } from 'pg';
import { migrate } from './schema';
import { StoreUnavailableError } from './store-unavailable';
import { Access, numberedParameters, SqlConnection, SqlDialect, SqlStatements, SqlStore } from './sql-store';
import { StoreTransaction } from './store';
import { Logger } from '../log';

/** Connections per instance: the pool bounds what one instance asks of the database. */
const POOL_SIZE = 10;
/** How long a request waits for a connection before it is answered 503. */
const CONNECT_TIMEOUT_MS = 5_000;
/** A statement still running after this long is cancelled (a stuck lock must not hold a request forever). */
const STATEMENT_TIMEOUT_MS = 30_000;
/** A deadlock between two transactions is retried this many times before the caller sees it. */
const DEADLOCK_RETRIES = 3;
/** Any constant every instance agrees on: the advisory lock that serializes migrations of one database. */
const MIGRATION_LOCK = 7_316_001;

const LOCK_REVISION = `SELECT value FROM meta WHERE name = 'revision' FOR UPDATE`;

/**
 * PostgreSQL databases counted their own schema versions before the histories joined (schema.ts): their 1 held
 * steps 1 to 3 and step 5 but for the refusal counters, their 2 added those (both go on at step 4; step 5 creates
 * only what is missing), their 3 the secrets counter (step 4): everything up to step 5.
 */
const JOINED: Readonly<Record<number, number>> = { 1: 3, 2: 3, 3: 5 };

const POSTGRES: SqlDialect = {
  holds: {
    scopes: `o.value::jsonb -> 'scopes' @> jsonb_build_array(?::text)`,
    implies: `o.value::jsonb -> 'implies' @> jsonb_build_array(?::text)`,
    role: `o.value::jsonb ->> 'role' = ?`,
    subjects: `o.value::jsonb -> 'subjects' @> jsonb_build_array(jsonb_build_object('clientId', ?::text))`,
  },
  jsonText: (column, field) => `${column}::jsonb ->> '${field}'`,
  namesAnyOf: clientIds => ({
    sql: `EXISTS (SELECT 1 FROM jsonb_array_elements(o.value::jsonb -> 'subjects') s WHERE s ->> 'clientId' = ANY(?::text[]))`,
    params: [clientIds],
  }),
  // One statement for any number of rows: they travel as one JSON array.
  insertRows(table, columns, rows, conflict = '') {
    const names = Object.keys(columns).join(', ');
    const types = Object.entries(columns)
      .map(([name, type]) => `${name} ${type}`)
      .join(', ');
    return {
      sql: `INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset(?::jsonb) AS x(${types}) ${conflict}`,
      params: rows.length === 0 ? [] : [[JSON.stringify(rows)]],
    };
  },
  ddl: {
    // Keys, kinds and client ids sort bytewise, as in SQLite: list pages, snapshots and the keyset cursors then
    // come out in the same order whatever locale the cluster was created with.
    key: 'TEXT COLLATE "C"',
    keyed: '',
    bigint: 'BIGINT',
    autoId: 'BIGSERIAL PRIMARY KEY',
    countSecretChanges: `
CREATE FUNCTION count_secret_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::text WHERE name = 'secrets';
  RETURN NULL;
END $$;
CREATE TRIGGER client_secrets_changed AFTER INSERT OR UPDATE OR DELETE ON client_secrets
  FOR EACH STATEMENT EXECUTE FUNCTION count_secret_change();`,
    managerDigest: column => `rtrim(translate(encode(sha256(convert_to(${column}, 'UTF8')), 'base64'), '+/', '-_'), '=')`,
    joined: recorded => JOINED[recorded] ?? recorded,
  },
};

/** Statements as pg takes them, numbered once per text. */
const numbered = new Map<string, string>();
function pgSql(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) numbered.set(sql, (text = numberedParameters(sql)));
  return text;
}

/** Outside a transaction: each statement on any pooled connection. */
class PoolConnection implements SqlConnection {
  constructor(private readonly pool: Pool) {}

  async rows<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query(pgSql(sql), params as unknown[])).rows as R[];
    } catch (e) {
      throw asStoreError(e);
    }
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    try {
      return (await this.pool.query(pgSql(sql), params as unknown[])).rowCount ?? 0;
    } catch (e) {
      throw asStoreError(e);
    }
  }
}

/** The statements of one transaction, on its own connection; takes the admin write lock before its first statement on the model. */
class TransactionConnection implements SqlConnection {
  private locked: Promise<unknown> | null = null;

  constructor(private readonly client: PoolClient) {}

  async rows<R>(sql: string, params: readonly unknown[], access: Access): Promise<R[]> {
    return (await this.query(sql, params, access)).rows as R[];
  }

  async run(sql: string, params: readonly unknown[], access: Access): Promise<number> {
    return (await this.query(sql, params, access)).rowCount ?? 0;
  }

  private async query(sql: string, params: readonly unknown[], access: Access) {
    try {
      if (access === 'model') await (this.locked ??= this.client.query(LOCK_REVISION));
      return await this.client.query(pgSql(sql), params as unknown[]);
    } catch (e) {
      throw asStoreError(e);
    }
  }
}

export class PostgresStore extends SqlStore {
  private constructor(private readonly pool: Pool) {
    super(new PoolConnection(pool), POSTGRES);
  }

  /**
   * Connects to `url` (postgres://user:password@host:port/database), runs the migrations and answers the
   * store. `log` hears about connections the database dropped while idle (never the URL: it may hold a password).
   */
  static async open(url: string, log: Logger): Promise<PostgresStore> {
    const pool = new Pool({
      connectionString: url,
      max: POOL_SIZE,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: 'procurement-scopes',
      // BIGINT (revisions, versions, audit ids) as numbers: they stay far below 2^53.
      types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pgTypes.builtins.INT8 ? Number : pgTypes.getTypeParser(oid, format))) as never },
    });
    // An idle connection the database closed (a restart) is an event, not a crash: the pool drops it and opens a new one when needed.
    pool.on('error', error => log.warn(`PostgreSQL dropped an idle connection (${error.message}); the next request opens a new one`));
    try {
      await migrateUnderLock(pool);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return new PostgresStore(pool);
  }

  /** Runs `fn` in one transaction on one connection: everything it writes lands together or not at all. */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await withConnection(this.pool, async (client, broke): Promise<{ result: T } | 'retry'> => {
        try {
          await client.query('BEGIN');
          const result = await fn(new SqlStatements(new TransactionConnection(client), POSTGRES));
          await client.query('COMMIT');
          return { result };
        } catch (e) {
          await client.query('ROLLBACK').catch(broke);
          const error = asStoreError(e);
          if (error instanceof StoreUnavailableError) broke();
          if (isDeadlock(e) && attempt <= DEADLOCK_RETRIES) return 'retry';
          throw error;
        }
      });
      if (outcome !== 'retry') return outcome.result;
    }
  }

  /** A session advisory lock keyed by the downstream, held on a connection of its own while `fn` runs. */
  async exclusiveDownstream<T>(downstream: string, fn: () => Promise<T>): Promise<T> {
    const key = `procurement-scopes downstream ${downstream}`;
    return withConnection(this.pool, async (client, broke) => {
      try {
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      } catch (e) {
        broke();
        throw asStoreError(e);
      }
      try {
        return await fn();
      } finally {
        // A connection that fails here is dropped, and the lock with its session.
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(broke);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Runs `fn` on a connection checked out of the pool for several statements. A connection the database drops while
 * it is out reports an 'error' event; unheard, that event would end the process: it is heard, and the connection
 * (or one `fn` calls `broke` for) is released as broken, so the pool discards it.
 */
async function withConnection<T>(pool: Pool, fn: (client: PoolClient, broke: () => void) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    throw asStoreError(e);
  }
  let broken = false;
  const broke = () => {
    broken = true;
  };
  client.on('error', broke);
  try {
    return await fn(client, broke);
  } finally {
    client.off('error', broke);
    client.release(broken);
  }
}

/** SQLSTATE classes and socket errors that mean "the database cannot answer now", not "the request is wrong". */
const UNAVAILABLE_STATES = /^(08|53|57P0[1-3])/;
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/i;

function asStoreError(e: unknown): unknown {
  if (e instanceof StoreUnavailableError) return e;
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_SOCKET.has(code))) || UNAVAILABLE_MESSAGE.test(message ?? '');
  return unavailable ? new StoreUnavailableError(`PostgreSQL: ${code ?? ''} ${message ?? String(e)}`.trim()) : e;
}

function isDeadlock(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === '40P01';
}

/**
 * Several instances may start together on one database: the migration runs under a transaction-scoped advisory
 * lock, so the second instance waits, then finds the schema current and does nothing.
 */
async function migrateUnderLock(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await migrate({ exec: sql => client.query(sql), rows: async (sql, params) => (await client.query(sql, params as unknown[])).rows }, POSTGRES.ddl);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
