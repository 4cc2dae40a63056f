/**
 * A real PostgreSQL for the state backend of the workflow test: Debian's
 * server binaries (`apt-get install postgresql`; .ci/run installs them),
 * a fresh cluster in a temporary directory on a free loopback port, stopped
 * by its own PID. As root the server runs as `nobody` (PostgreSQL refuses
 * root). Fails loudly when the binaries are missing.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NOBODY = 65_534;

export interface Postgres {
  /** A libpq URL for `role` on `database`, as Terraform's pg backend takes in PG_CONN_STR. */
  url(role: string, password: string, database: string): string;
  /** Runs SQL as the superuser (on `database`), failing with psql's words. */
  sql(statements: string, database?: string): void;
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<Postgres> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'procurement-pg-'));
  if (root) {
    chownSync(dir, NOBODY, NOBODY);
    // The test run's temporary root is 0700: let `nobody` pass through it (search only, no listing) to its own directory.
    chmodSync(tmpdir(), 0o711);
  }
  const as = root ? { uid: NOBODY, gid: NOBODY } : {};
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync'], { ...as, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const server: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], {
    ...as,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const psql = (statements: string, database = 'postgres') =>
    spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-c', statements], { encoding: 'utf8' });
  for (let waited = 0; psql('SELECT 1').status !== 0; waited += 200) {
    if (waited > 30_000 || server.exitCode !== null) throw new Error(`PostgreSQL did not start:\n${log}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  return {
    url: (role, password, database) => `postgres://${role}:${password}@127.0.0.1:${port}/${database}?sslmode=disable`,
    sql(statements, database) {
      const result = psql(statements, database);
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    },
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise(resolve => server.once('exit', resolve));
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
