/**
 * Starts the REAL embedded server (`procurement-scopes server`) as a child
 * process on a free loopback port, for tests of the server, the provider and
 * the CLI. It runs the built code (`npm run build`; `npm test` builds first).
 *
 *   const server = await startServer();
 *   await server.admin.put('scopes', {...}, 'catalog.read');
 *   await server.stop();
 */
import { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AdminClient, AdminClientOptions } from '../../lib/client/admin-client';
import { testEnvironment } from './environment';
import { signalAndWait, spawnUntilReady } from './spawn-until-ready';
import { storeEnvironment } from './test-store';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/procurement-scopes.js');
const BUILT_MAIN = join(ROOT, 'dist/lib/cli/main.js');
const CLOCK_SERVER = join(__dirname, 'server-with-clock.js');
const START_TIMEOUT_MS = 30_000;

export interface StartServerOptions {
  /** Reuse a data directory (e.g. another server's); default: a fresh temporary one, removed by `stop()`. */
  dataDir?: string;
  /** Extra command-line arguments, e.g. `['--admin-rate-limit', '5']`. */
  args?: string[];
  /**
   * Extra environment, e.g. `{ PROCUREMENT_ADMIN_TOKEN: '...' }`, on top of `testEnvironment()` (none of the caller's
   * PROCUREMENT_*, TF_*, CDKTF_*) and of the test store's (test-store.ts: on the `postgres` project, a database per
   * data directory); a PROCUREMENT_STORE_URL here puts the server on that database instead.
   */
  env?: Record<string, string>;
  /** Options for the `admin` client (retries, actor, ...). */
  adminClient?: Partial<AdminClientOptions>;
  /**
   * A policy document PUT once the server listens (fields left out take the environment's preset), for
   * tests about something else than the policy that store what a preset refuses, e.g.
   * `{ environment: 'dev', severities: { 'SEPARATION-OF-DUTIES': 'off' } }`. Default: the fresh server's preset.
   */
  policy?: Record<string, unknown>;
  /**
   * Start the server with a clock the test moves with `advanceClock` (test/support/server-with-clock.js; real time
   * again after a restart): grant expiry, signing keys and the rate limits go by it. `args` are not supported then:
   * give `settings` instead.
   */
  movableClock?: boolean;
  /** With `movableClock`: server settings as lib/server/defaults.ts `resolveConfig` takes them, e.g. `{ clientRateLimit: 1 }`. */
  settings?: Record<string, unknown>;
}

export interface EmbeddedServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (`https://` when started with `--tls-cert`). Changes only if `restart` cannot reuse the port. */
  readonly url: string;
  readonly adminToken: string;
  readonly dataDir: string;
  /** An admin client bound to the current process. */
  readonly admin: AdminClient;
  readonly pid: number;
  /** Everything the server wrote to stderr so far (for assertions and failure messages). */
  stderr(): string;
  /** Everything the server wrote to stdout so far. */
  stdout(): string;
  /** SIGTERM and wait for exit; removes the data directory if this helper created it. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; keeps the data directory (for `restart`). */
  /** SIGTERM and wait for exit, keeping the data directory and the output (restart() starts it again). */
  terminate(): Promise<void>;
  kill9(): Promise<void>;
  /** Stops the server if it still runs (SIGTERM) and starts it again on the same data directory and port. */
  restart(): Promise<void>;
  /** Moves the server's clock forward (only with `movableClock`); answers the server's time after the move. */
  advanceClock(seconds: number): Promise<Date>;
}

export async function startServer(options: StartServerOptions = {}): Promise<EmbeddedServer> {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run 'npm run build' first`);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'procurement-server-'));
  let running = await spawnServer(dataDir, options, '0');
  let admin = adminClientFor(running.url, running.adminToken, options);
  if (options.policy) await admin.putPolicy(options.policy);

  const waitExit = (signal: NodeJS.Signals) => signalAndWait(running.child, signal);

  return {
    get url() {
      return running.url;
    },
    get adminToken() {
      return running.adminToken;
    },
    get admin() {
      return admin;
    },
    get pid() {
      return running.child.pid!;
    },
    dataDir,
    stderr: () => running.stderr.join(''),
    stdout: () => running.stdout.join(''),
    stop: async () => {
      await waitExit('SIGTERM');
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    kill9: () => waitExit('SIGKILL'),
    terminate: () => waitExit('SIGTERM'),
    advanceClock: seconds => advanceClock(running, seconds),
    restart: async () => {
      await waitExit('SIGTERM');
      const port = new URL(running.url).port;
      running = await spawnServer(dataDir, options, port).catch(() => spawnServer(dataDir, options, '0'));
      admin = adminClientFor(running.url, running.adminToken, options);
    },
  };
}

interface Running {
  child: ChildProcess;
  url: string;
  adminToken: string;
  stdout: string[];
  stderr: string[];
}

async function spawnServer(dataDir: string, options: StartServerOptions, port: string): Promise<Running> {
  if (options.movableClock && options.args?.length) throw new Error('startServer: movableClock does not take args');
  if (options.settings && !options.movableClock) throw new Error('startServer: settings are for movableClock; give args');
  const command = options.movableClock
    ? [CLOCK_SERVER, dataDir, port, JSON.stringify(options.settings ?? {})]
    : [BIN, 'server', '--port', port, '--data', dataDir, ...(options.args ?? [])];
  const env = options.env?.PROCUREMENT_STORE_URL ? { ...options.env } : { ...(await storeEnvironment(dataDir)), ...options.env };
  const started = await spawnUntilReady({
    what: 'the server',
    command: process.execPath,
    args: command,
    // Not the repository: nothing a server writes relative to its cwd may land there.
    options: { cwd: tmpdir(), env: testEnvironment(env) },
    stdin: options.movableClock ? 'pipe' : 'ignore',
    ready: /^listening on (https?:\/\/127\.0\.0\.1:\d+)$/m,
    timeoutMs: START_TIMEOUT_MS,
    onReady: () => {
      try {
        return env.PROCUREMENT_ADMIN_TOKEN ?? readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      } catch (error) {
        throw new Error(`its admin token could not be read: ${(error as Error).message}`);
      }
    },
  });
  return { child: started.child, url: started.match[1], adminToken: started.value, stdout: started.stdout, stderr: started.stderr };
}

async function advanceClock(running: Running, seconds: number): Promise<Date> {
  if (!running.child.stdin) throw new Error('advanceClock needs a server started with movableClock');
  const seen = running.stdout.join('').length;
  running.child.stdin.write(`advance ${seconds}\n`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const answer = /^now (\S+)$/m.exec(running.stdout.join('').slice(seen));
    if (answer) return new Date(answer[1]);
    if (Date.now() > deadline) throw new Error(`the server did not confirm its new time; stderr:\n${running.stderr.join('')}`);
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

function adminClientFor(url: string, adminToken: string, options: StartServerOptions): AdminClient {
  return new AdminClient({ url, adminToken, actor: 'test', maxAttempts: 1, ...options.adminClient });
}
