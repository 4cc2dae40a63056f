/**
 * A real PostgreSQL for tests (the workflow test's Terraform state backend,
 * the PostgreSQL store of the server): Debian's server binaries
 * (`apt-get install postgresql`; .ci/run installs them), a fresh cluster in a
 * temporary directory on a free loopback port, stopped by its own PID. As
 * root the server runs as `nobody` (PostgreSQL refuses root). Fails loudly
 * when the binaries are missing: a test that needs PostgreSQL never skips.
 *
 *   const pg = await startPostgres();
 *   const url = pg.createDatabase('store_a');   // postgres://postgres@127.0.0.1:<port>/store_a
 *   await pg.restart();                          // same data, same port
 *   await pg.stop();
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

const NOBODY = 65_534;
const START_TIMEOUT_MS = 30_000;

export interface Postgres {
  readonly port: number;
  /** A libpq URL for `role` on `database`, as Terraform's pg backend takes in PG_CONN_STR. */
  url(role: string, password: string, database: string): string;
  /** Creates an empty database owned by the superuser and answers its URL (trust authentication: no password). */
  createDatabase(name: string): string;
  /** Runs SQL as the superuser (on `database`), failing with psql's words. */
  sql(statements: string, database?: string): void;
  /** Runs a file of SQL as the superuser on `database` (e.g. a pg_dump, whose COPY rows `sql` cannot take). */
  load(file: string, database: string): void;
  /** Everything `database` holds, as the text pg_dump writes (schema and data). */
  dump(database: string): string;
  /**
   * Stops the server and starts it again on the same data and port: every connection is cut. `immediate`
   * stops it as a crash would (SIGQUIT: no checkpoint, WAL replay at the next start); the default is a
   * fast shutdown (SIGINT). `whileDown` runs once it is down, and it starts again when that has resolved: a test
   * keeps it down until it saw what an outage must cause, not for a fixed time.
   */
  restart(options?: { immediate?: boolean; whileDown?: () => Promise<void> }): Promise<void>;
  /** The server's process id (changes with `restart`). */
  pid(): number;
  stop(): Promise<void>;
}

function binDir(): string {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const dir = versions.length ? join('/usr/lib/postgresql', versions[versions.length - 1], 'bin') : '';
  if (!dir || !existsSync(join(dir, 'postgres'))) {
    throw new Error('PostgreSQL server binaries are missing (/usr/lib/postgresql/<version>/bin): apt-get install -y postgresql (.ci/run does)');
  }
  return dir;
}

export async function startPostgres(): Promise<Postgres> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'procurement-pg-'));
  if (root) {
    chownSync(dir, NOBODY, NOBODY);
    // The test run's temporary root is 0700: let `nobody` pass through it (search only, no listing) to its own
    // directory. Only bits are added, so a shared /tmp (the benchmark's) keeps its sticky bit and its modes.
    chmodSync(tmpdir(), (statSync(tmpdir()).mode & 0o7777) | 0o011);
  }
  const as = root ? { uid: NOBODY, gid: NOBODY } : {};
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { ...as, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const psql = (statements: string, database = 'postgres', option: '-c' | '-f' = '-c') =>
    spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', option, statements], { encoding: 'utf8' });

  let log = '';
  let server: ChildProcess;
  const launch = async () => {
    // fsync=off: a test cluster needs no protection from power loss, and an fsync per commit on this shared
    // disk would make the tests measure the disk. A killed *server process* still loses nothing: the OS keeps
    // what was written. max_connections leaves room for several server instances' pools.
    server = spawn(
      join(bin, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
      { ...as, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    for (let waited = 0; psql('SELECT 1').status !== 0; waited += 200) {
      if (waited > START_TIMEOUT_MS || server.exitCode !== null) throw new Error(`PostgreSQL did not start:\n${log}`);
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise(resolve => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };
  await launch();

  const sql = (statements: string, database?: string, option?: '-c' | '-f') => {
    const result = psql(statements, database, option);
    if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  };
  return {
    port,
    url: (role, password, database) => `postgres://${role}:${password}@127.0.0.1:${port}/${database}?sslmode=disable`,
    createDatabase(name) {
      sql(`CREATE DATABASE "${name}"`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    sql,
    load: (file, database) => sql(file, database, '-f'),
    dump(database) {
      const result = spawnSync(join(bin, 'pg_dump'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (result.status !== 0) throw new Error(`pg_dump failed: ${result.stderr}`);
      return result.stdout;
    },
    pid: () => server.pid!,
    async restart({ immediate = false, whileDown = async () => {} } = {}) {
      await halt(immediate ? 'SIGQUIT' : 'SIGINT');
      await whileDown();
      await launch();
    },
    async stop() {
      await halt('SIGINT'); // fast shutdown
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
