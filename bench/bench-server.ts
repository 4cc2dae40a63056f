/**
 * A fresh embedded server for one benchmark side: `procurement-scopes server`
 * as its own process (so its CPU is its own and a load tool in this process
 * does not share its event loop), on a free loopback port, with a temporary
 * data directory removed on `stop()`. `spawnListening` starts any other
 * server the same way (the token benchmark's bare oidc-provider).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AdminClient } from '../lib/client/admin-client';

const BIN = resolve(__dirname, '../../bin/procurement-scopes.js');
const START_TIMEOUT_MS = 30_000;

export interface BenchServer extends ListeningProcess {
  readonly adminToken: string;
  readonly admin: AdminClient;
}

/**
 * `env` adds to the server's environment, e.g. PROCUREMENT_STORE_URL (and then the PROCUREMENT_ADMIN_TOKEN its instances share);
 * `extraArgs` to its command line, e.g. `--no-metrics`; `nodeArgs` to Node's, e.g. `--cpu-prof` (which Node refuses in NODE_OPTIONS).
 */
export async function startBenchServer(env: Record<string, string> = {}, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'procurement-bench-server-'));
  const adminToken = env.PROCUREMENT_ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  // One client at thousands of tokens a second: the per-client rate limit (100 by default) is off.
  // The environment the bench stacks declare (large-stack.ts), so that their procurement_policy applies.
  const args = [...nodeArgs, BIN, 'server', '--port', '0', '--data', dataDir, '--environment', 'bench', '--client-rate-limit', 'off', ...extraArgs];
  const server = await spawnListening(args, { ...env, PROCUREMENT_ADMIN_TOKEN: adminToken }, () =>
    rmSync(dataDir, { recursive: true, force: true }),
  );
  return { ...server, adminToken, admin: new AdminClient({ url: server.url, adminToken, actor: 'bench' }) };
}

/** A Node process started on `args`, once it printed `listening on <url>`; `stop()` ends it and runs `cleanup`. */
export interface ListeningProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything it printed on stdout so far (the bare yardstick prints its client there). */
  stdout(): string;
  stop(): Promise<void>;
}

export async function spawnListening(args: string[], env: Record<string, string>, cleanup: () => void = () => {}): Promise<ListeningProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>(done => child.once('exit', () => done()));
  // A benchmark that dies half-way must not leave servers behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    cleanup();
  };
  // Named by its script, after Node's own flags (its other arguments may hold a secret).
  const script = args.find(arg => !arg.startsWith('-')) ?? process.execPath;
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} printed no 'listening on' line within ${START_TIMEOUT_MS} ms:\n${stderr}`)), START_TIMEOUT_MS);
    child.once('exit', code => reject(new Error(`${script} exited with code ${code} before listening:\n${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
  }).catch(async error => {
    await stop();
    throw error;
  });
  return { url, pid: child.pid!, stdout: () => stdout, stop };
}
