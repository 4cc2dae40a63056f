/**
 * A real Prometheus (Debian package `prometheus`) for a test: a temporary
 * directory for its configuration, token file and storage, a free loopback
 * port, a one-second scrape and evaluation interval, the project's alert
 * rules loaded, and one target scraped with a bearer token from
 * `credentials_file`, as an operator would configure it (docs/operations.md).
 * `stop()` ends it by its PID and removes the directory.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { PROMETHEUS_RULES_DIR, prometheusBinary } from './promtool';

const START_TIMEOUT_MS = 60_000;

export interface Prometheus {
  url: string;
  pid: number;
  /** GET `/api/v1/<path>`; answers `data` of a success, throws on anything else. */
  api<T>(path: string): Promise<T>;
  /** Everything Prometheus wrote so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusTarget {
  /** `host:port` of the server to scrape. */
  target: string;
  /** The admin token it is scraped with (a `read` token). */
  token: string;
}

export async function startPrometheus({ target, token }: PrometheusTarget): Promise<Prometheus> {
  const binary = prometheusBinary('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'procurement-prometheus-'));
  const tokenFile = join(dir, 'procurement-token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(PROMETHEUS_RULES_DIR, 'alerts.yml')],
      scrape_configs: [
        {
          job_name: 'procurement-scopes',
          metrics_path: '/metrics',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets: [target] }],
        },
      ],
    }),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.status === 200, START_TIMEOUT_MS, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`Prometheus did not become ready: ${(error as Error).message}\n${output}`);
  }
  return {
    url,
    pid: child.pid!,
    log: () => output,
    stop,
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${url}/api/v1/${path}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`Prometheus /api/v1/${path}: ${body.error}`);
      return body.data;
    },
  };
}

/** Polls `check` every 200 ms until it holds; throws after `timeoutMs`, or at once when `gone()` says the process died. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, gone: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (gone()) throw new Error('the process exited');
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}
