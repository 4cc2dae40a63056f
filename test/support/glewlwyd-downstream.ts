/**
 * Starts the REAL glewlwyd (Debian package `glewlwyd`; .ci/run installs it) as
 * the `glewlwyd` downstream of the tests, privately: a temporary directory
 * with its own configuration and SQLite database made from the package's
 * schema, a free loopback port, nothing under /etc touched. It then does what
 * an administrator does once (shared/DOWNSTREAMS.md): logs in as the schema's
 * seeded admin, makes an admin API key (written to a 0600 file) and creates
 * the oauth2-glewlwyd plugin instance whose token endpoint the clients use.
 * Fails loudly when glewlwyd is missing: a test that needs it never skips.
 *
 *   const downstream = await startGlewlwydDownstream();
 *   downstream.config   // the --downstream file's fields
 *   await downstream.terminate(); await downstream.start();  // same database, same port
 *   await downstream.stop();
 */
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { testEnvironment } from './environment';
import { freePort } from './free-port';
import { spawnUntilReady } from './spawn-until-ready';

const BINARY = '/usr/bin/glewlwyd';
const MODULES = '/usr/lib/glewlwyd';
const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3';
const START_TIMEOUT_MS = 30_000;
const PLUGIN = 'oauth2';
/** What glewlwyd prints once its web server listens. */
const STARTED = /Glewlwyd started on port (\d+)/;
const PORT_TRIES = 3;
const TERM_GRACE_MS = 3_000;
const ACCEPT_TIMEOUT_MS = 3_000;

export interface GlewlwydDownstream {
  /** The server's root URL (its admin API is under /api). */
  readonly url: string;
  readonly pid: number;
  /** The fields of a `--downstream` file for this server. */
  readonly config: { kind: 'glewlwyd'; apiUrl: string; apiKeyFile: string; plugin: string };
  readonly dir: string;
  /** Writes a `--downstream` file for this server with `settings`; answers its path. */
  configFile(settings: { reconcileSeconds: number; drift?: 'revert' | 'report' }): string;
  /** The plugin's HS256 signing key: checks that a token really comes from this glewlwyd. */
  readonly signingKey: string;
  /** A request to the admin API with the API key, as an administrator by hand (drift, clashes). */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  log(): string;
  /** SIGTERM and wait; the database stays, for `start`. */
  terminate(): Promise<void>;
  /** Starts it again on the same database and port. */
  start(): Promise<void>;
  /** Terminates it and removes its directory. */
  stop(): Promise<void>;
}

export async function startGlewlwydDownstream(): Promise<GlewlwydDownstream> {
  for (const [path, what] of [
    [BINARY, 'the glewlwyd binary'],
    [SCHEMA, "glewlwyd's SQLite schema"],
  ]) {
    if (!existsSync(path)) throw new Error(`${what} is missing (${path}): apt-get install -y glewlwyd sqlite3 (.ci/run does)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'glewlwyd-downstream-'));
  try {
    const database = join(dir, 'glewlwyd.db');
    const db = new Database(database);
    // One transaction: statement by statement, each commit's sync would make this the slowest step.
    db.transaction(() => db.exec(readFileSync(SCHEMA, 'utf8')))();
    db.close();
    const configFile = join(dir, 'glewlwyd.conf');
    let current = await spawnOnFreePort(configFile, database);
    const url = `http://127.0.0.1:${current.port}`;
    const apiKeyFile = join(dir, 'api-key');
    const signingKey = randomBytes(32).toString('base64url');
    let admin: GlewlwydDownstream['admin'];
    try {
      const apiKey = await makeApiKey(url);
      writeFileSync(apiKeyFile, apiKey, { mode: 0o600 });
      admin = (method, path, body) => adminRequest(url, apiKey, method, path, body);
      const plugin = await admin('POST', '/mod/plugin/', oauth2Plugin(signingKey));
      if (plugin.status !== 200) throw new Error(`glewlwyd refused the oauth2 plugin instance: ${plugin.status} ${JSON.stringify(plugin.body)}`);
    } catch (error) {
      await terminateGlewlwyd(current.child);
      throw new Error(`setting glewlwyd up failed: ${(error as Error).message} (${String((error as Error).cause ?? '')}); its log:\n${current.log.join('')}`);
    }

    const terminate = () => terminateGlewlwyd(current.child);
    return {
      url,
      get pid() {
        return current.child.pid!;
      },
      config: { kind: 'glewlwyd', apiUrl: `${url}/api`, apiKeyFile, plugin: PLUGIN },
      dir,
      configFile: settings => {
        const file = join(dir, 'downstream.json');
        writeFileSync(file, JSON.stringify({ kind: 'glewlwyd', apiUrl: `${url}/api`, apiKeyFile, plugin: PLUGIN, ...settings }));
        return file;
      },
      signingKey,
      admin,
      log: () => current.log.join(''),
      terminate,
      start: async () => {
        current = await spawnGlewlwyd(configFile);
      },
      stop: async () => {
        await terminate();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The Debian configuration's settings that matter, with the admin API open to API keys and only loopback bound. */
function configuration(port: number, database: string): string {
  return [
    `port=${port}`,
    'bind_address="127.0.0.1"',
    `external_url="http://127.0.0.1:${port}"`,
    'api_prefix="api"',
    'admin_session_authentication="cookie,api_key"',
    'profile_session_authentication="cookie"',
    'admin_scope="g_admin"',
    'profile_scope="g_profile"',
    `user_module_path="${MODULES}/user"`,
    `client_module_path="${MODULES}/client"`,
    `user_auth_scheme_module_path="${MODULES}/scheme"`,
    `plugin_module_path="${MODULES}/plugin"`,
    'hash_algorithm="SHA512"',
    `database = { type = "sqlite3" path = "${database}" };`,
    '',
  ].join('\n');
}

/** Client credentials only, HS256 tokens signed with `key`. */
function oauth2Plugin(key: string): unknown {
  return {
    module: 'oauth2-glewlwyd',
    name: PLUGIN,
    display_name: 'OAuth2 for the tests',
    enabled: true,
    parameters: {
      'jwt-type': 'sha',
      'jwt-key-size': '256',
      key,
      'access-token-duration': 3600,
      'refresh-token-duration': 1209600,
      'code-duration': 600,
      'refresh-token-rolling': false,
      'auth-type-client-enabled': true,
      'auth-type-code-enabled': false,
      'auth-type-implicit-enabled': false,
      'auth-type-password-enabled': false,
      'auth-type-refresh-enabled': false,
    },
  };
}

/** The schema's seeded admin (admin / password) logs in; its session cookie makes an API key. */
async function makeApiKey(url: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'password' }),
    signal: AbortSignal.timeout(10_000),
  });
  const cookie = login.headers.get('set-cookie');
  if (login.status !== 200 || !cookie) throw new Error(`glewlwyd refused the seeded admin's login: ${login.status}`);
  const key = await fetch(`${url}/api/key/`, { method: 'POST', headers: { cookie: cookie.split(';')[0] }, signal: AbortSignal.timeout(10_000) });
  if (key.status !== 200) throw new Error(`glewlwyd refused to make an API key: ${key.status}`);
  return ((await key.json()) as { key: string }).key;
}

async function adminRequest(url: string, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/api${path}`, {
    method,
    headers: { authorization: `token ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/**
 * SIGTERM, then SIGKILL if it has not exited after a grace period. Trap: glewlwyd's SIGTERM handler locks the mutex
 * its main thread holds while going to wait for that very signal, just after printing 'Glewlwyd started': a
 * SIGTERM arriving then deadlocks it for good, and every later SIGTERM as well (seen right after a restart, under
 * load). Its SQLite database loses nothing to a SIGKILL: every admin write is committed when it answers.
 */
async function terminateGlewlwyd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(done => child.once('exit', () => done()));
  const kill = setTimeout(() => child.kill('SIGKILL'), TERM_GRACE_MS);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(kill);
}

/** A fresh port per try: another process may take the free one between our pick and glewlwyd's bind (or see spawnGlewlwyd). */
async function spawnOnFreePort(configFile: string, database: string): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    writeFileSync(configFile, configuration(await freePort(), database));
    try {
      return await spawnGlewlwyd(configFile);
    } catch (error) {
      if (attempt >= PORT_TRIES || !/Address already in use|refused connections/.test((error as Error).message)) throw error;
    }
  }
}

interface Running {
  child: ChildProcess;
  port: number;
  log: string[];
}

/**
 * Started when glewlwyd says so AND its port accepts a connection. Once in about fifteen starts here (never when
 * tried by hand), the first request after 'Glewlwyd started' was refused (ECONNREFUSED): a start is only counted
 * when a connection succeeds, within ACCEPT_TIMEOUT_MS; otherwise it failed like a bind would.
 */
async function spawnGlewlwyd(configFile: string): Promise<Running> {
  const running = await spawnUntilStarted(configFile);
  const deadline = Date.now() + ACCEPT_TIMEOUT_MS;
  while (!(await accepts(running.port))) {
    if (Date.now() > deadline || running.child.exitCode !== null) {
      await terminateGlewlwyd(running.child);
      throw new Error(`glewlwyd did not start (it said it listens on ${running.port}, but that port refused connections for ${ACCEPT_TIMEOUT_MS} ms); its log:\n${running.log.join('')}`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return running;
}

function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function spawnUntilStarted(configFile: string): Promise<Running> {
  const started = await spawnUntilReady({
    what: 'glewlwyd',
    command: BINARY,
    args: ['-c', configFile, '-m', 'console', '-l', 'INFO'],
    options: { env: testEnvironment() },
    ready: STARTED,
    timeoutMs: START_TIMEOUT_MS,
  });
  return { child: started.child, port: Number(started.match[1]), log: started.output };
}
