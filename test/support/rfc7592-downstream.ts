/**
 * Starts the REAL, unmodified node-oidc-provider as an RFC 7591/7592 server
 * (scripts/rfc7592-server.mjs) in a process of its own, as the
 * `rfc7592` downstream of the tests; its data file survives `restart`.
 *
 *   const downstream = await startRfc7592Downstream(['catalog.read', 'po.create']);
 *   downstream.config  // the --downstream file's fields
 *   await downstream.stop();
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { testEnvironment } from './environment';
import { signalAndWait, spawnUntilReady } from './spawn-until-ready';
import { postForm } from './token-requests';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'rfc7592-server.mjs');
const START_TIMEOUT_MS = 30_000;

export interface Rfc7592Downstream {
  readonly issuer: string;
  readonly pid: number;
  /** The fields of a `--downstream` file for this server. */
  readonly config: { kind: 'rfc7592'; issuer: string; initialAccessTokenFile: string };
  readonly dir: string;
  /** Writes a `--downstream` file for this server with these settings; answers its path. */
  configFile(settings: { reconcileSeconds: number; drift?: 'revert' | 'report' }): string;
  stderr(): string;
  /** SIGTERM and wait; the data file stays, for `start`. */
  terminate(): Promise<void>;
  /** Starts it again on the same data file and port. */
  start(): Promise<void>;
  /** Terminates it and removes its directory. */
  stop(): Promise<void>;
}

export async function startRfc7592Downstream(scopes: readonly string[]): Promise<Rfc7592Downstream> {
  const dir = mkdtempSync(join(tmpdir(), 'rfc7592-downstream-'));
  const tokenFile = join(dir, 'initial-access-token');
  writeFileSync(tokenFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  let running = await spawnDownstream(dir, tokenFile, '0', scopes);
  const issuer = running.issuer;
  const terminate = () => signalAndWait(running.child, 'SIGTERM');
  return {
    issuer,
    get pid() {
      return running.child.pid!;
    },
    config: { kind: 'rfc7592', issuer, initialAccessTokenFile: tokenFile },
    dir,
    configFile: settings => {
      const file = join(dir, 'downstream.json');
      writeFileSync(file, JSON.stringify({ kind: 'rfc7592', issuer, initialAccessTokenFile: tokenFile, ...settings }));
      return file;
    },
    stderr: () => running.stderr.join(''),
    terminate,
    start: async () => {
      running = await spawnDownstream(dir, tokenFile, new URL(issuer).port, scopes);
    },
    stop: async () => {
      await terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Running {
  child: ChildProcess;
  issuer: string;
  stderr: string[];
}

async function spawnDownstream(dir: string, tokenFile: string, port: string, scopes: readonly string[]): Promise<Running> {
  const started = await spawnUntilReady({
    what: 'the rfc7592 downstream',
    command: process.execPath,
    args: [SCRIPT, join(dir, 'data.json'), port, tokenFile, ...scopes],
    options: { cwd: dir, env: testEnvironment() },
    ready: /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m,
    timeoutMs: START_TIMEOUT_MS,
  });
  return { child: started.child, issuer: started.match[1], stderr: started.stderr };
}

export interface IssuedToken {
  status: number;
  error: string | undefined;
  /** The scopes the access token itself carries (its `scope` claim), sorted; null when no token was issued. */
  scopes: string[] | null;
}

/** Asks `tokenEndpoint` for a client-credentials token and reads the granted scopes from the token, never from the request. */
export async function requestToken(tokenEndpoint: string, clientId: string, secret: string, scope?: string): Promise<IssuedToken> {
  const answer = await postForm(tokenEndpoint, { basic: [clientId, secret], form: scope === undefined ? {} : { scope } });
  const token = answer.body.access_token;
  if (!token) return { status: answer.status, error: answer.body.error, scopes: null };
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { scope?: string };
  return { status: answer.status, error: undefined, scopes: (claims.scope ?? '').split(' ').filter(Boolean).sort() };
}

/**
 * What someone holding a client's registration access token does by hand on the server itself (drift): replaces
 * its `scope`. The token and URI are read from the control plane's store (`store.sqlite` in its data directory), as
 * an operator could.
 */
export async function setScopeByHand(controlDataDir: string, clientId: string, scope: string): Promise<void> {
  const db = new Database(join(controlDataDir, 'store.sqlite'), { readonly: true });
  const { state } = db.prepare('SELECT state FROM downstream_clients WHERE client_id = ?').get(clientId) as { state: string };
  db.close();
  const { token, uri } = JSON.parse(state) as { token: string; uri: string };
  const current = (await (await fetch(uri, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
  for (const field of ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at']) delete current[field];
  const response = await fetch(uri, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...current, scope }) });
  if (response.status !== 200) throw new Error(`the hand-made change of '${clientId}' answered ${response.status}`);
}
