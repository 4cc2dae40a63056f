/**
 * Load on the token endpoint: client-credentials grants over loopback with
 * autocannon, against a fresh embedded server holding one client with one
 * role, against the yardstick, bare oidc-provider (bare-oidc-server.ts), and
 * against another of ours started with `--no-metrics` (what counting for
 * `GET /metrics` costs, issue #26), in the same run: warmed up, then in
 * alternating runs (bare, ours, ours without metrics, bare, ...) so that a
 * machine whose speed drifts moves every side alike.
 * Only 2xx answers count as tokens: a load test that counted refusals as
 * throughput would flatter the server.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { ListeningProcess, spawnListening, startBenchServer } from './bench-server';
import { cpuSecondsOf } from './process-sampler';
import { TokenClient } from '../lib/verify/token-client';
import { ASSERTION_MAX_SECONDS } from '../lib/server/oauth/client-assertion';
import type { ReferenceConfig } from './bare-oidc-server';

/** One autocannon run against one side. */
export interface TokenRunFigures {
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU per answered request: with one Node process serving, this bounds the rate. */
  serverCpuMsPerRequest: number;
}

/** A side's figures: the median of its runs for each figure, and the runs themselves. */
export interface TokenSideFigures extends TokenRunFigures {
  runs: TokenRunFigures[];
}

export interface TokenLoadFigures {
  connections: number;
  /** Of each run. */
  durationSeconds: number;
  /** Runs per side, alternating. */
  rounds: number;
  ours: TokenSideFigures;
  /** Bare node-oidc-provider, in memory, same grant, same JWT format. */
  bare: TokenSideFigures;
  /** Ours started with --no-metrics: what counting for GET /metrics costs. */
  oursMetricsOff: TokenSideFigures;
}

export interface TokenLoadOptions {
  durationSeconds: number;
  /** After the timed runs, one more run of ours and of bare oidc-provider, fresh servers under `node --cpu-prof` writing into DIR/ours and DIR/bare. */
  cpuProfileDir?: string;
  connections: number;
  rounds: number;
  log: (line: string) => void;
}

const SCOPE = 'catalog.read';
const WARM_UP_SECONDS = 2;
const BARE_SERVER = resolve(__dirname, 'bare-oidc-server.js');

/** A server under load: where its token endpoint is and how to ask it for a token. */
interface LoadTarget {
  name: string;
  endpoint: string;
  pid: number;
  clientId: string;
  clientSecret: string;
}

export async function runTokenLoad(options: TokenLoadOptions): Promise<TokenLoadFigures> {
  const started: ListeningProcess[] = [];
  try {
    const ours = await startOurs(started);
    const bare = await startBare(started);
    const sides: [Side, LoadTarget][] = [
      ['bare', bare],
      ['ours', ours],
      ['oursMetricsOff', await startOurs(started, ['--no-metrics'])],
    ];
    options.log(`    token: ${options.connections} connections, ${options.rounds} runs of ${options.durationSeconds} s a side, alternating`);
    for (const [, target] of sides) await load(target, WARM_UP_SECONDS, options.connections);
    const runs: Record<Side, TokenRunFigures[]> = { ours: [], bare: [], oursMetricsOff: [] };
    for (let round = 0; round < options.rounds; round++) {
      for (const [side, target] of sides) {
        const run = await load(target, options.durationSeconds, options.connections);
        runs[side].push(run);
        options.log(`    ${target.name}: ${run.requestsPerSecond.toFixed(0)} tokens/s, p99 ${run.latencyP99Ms} ms`);
      }
    }
    if (options.cpuProfileDir) await profile(options.cpuProfileDir, options);
    return {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      rounds: options.rounds,
      ours: summarize(runs.ours),
      bare: summarize(runs.bare),
      oursMetricsOff: summarize(runs.oursMetricsOff),
    };
  } finally {
    await Promise.all(started.map(server => server.stop()));
  }
}

type Side = 'ours' | 'bare' | 'oursMetricsOff';

/** Profiles are valid on a busy machine where rates are not: they say where each server's CPU goes per token. */
async function profile(dir: string, options: TokenLoadOptions): Promise<void> {
  for (const side of ['ours', 'bare'] as const) {
    const started: ListeningProcess[] = [];
    const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${join(dir, side)}`];
    try {
      const target = side === 'ours' ? await startOurs(started, [], nodeArgs) : await startBare(started, nodeArgs);
      await load(target, WARM_UP_SECONDS, options.connections);
      const run = await load(target, options.durationSeconds, options.connections);
      options.log(`    ${target.name} under the profiler: ${run.requestsPerSecond.toFixed(0)} tokens/s, ${run.requests} requests, profile in ${join(dir, side)}`);
    } finally {
      // The profile is written as the process ends.
      await Promise.all(started.map(server => server.stop()));
    }
  }
}

async function startOurs(started: ListeningProcess[], args: string[] = [], nodeArgs: string[] = []): Promise<LoadTarget> {
  const server = await startBenchServer({}, args, nodeArgs);
  started.push(server);
  const admin = server.admin;
  await admin.put('scopes', { name: SCOPE, description: 'Read the supplier catalog.', risk: 'low', external: false, implies: [] }, SCOPE);
  await admin.put('roles', { name: 'catalog-reader', description: 'Reads catalogs.', scopes: [SCOPE] }, 'catalog-reader');
  const { clientSecret } = await admin.put(
    'clients',
    { clientId: 'bench-client', displayName: 'Benchmark client', owner: 'bench', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 3600, secretRotationDays: 90 },
    'bench-client',
  );
  await admin.put('role-bindings', { name: 'bench', role: 'catalog-reader', subjects: [{ clientId: 'bench-client', expiresAt: null, justification: null }] }, 'bench');
  if (!clientSecret) throw new Error('the server created the benchmark client without answering its secret');
  return probe({ name: args.length ? `ours ${args.join(' ')}` : 'ours', pid: server.pid, clientId: 'bench-client', clientSecret }, server.url);
}

async function startBare(started: ListeningProcess[], nodeArgs: string[] = []): Promise<LoadTarget> {
  const client = { clientId: 'bare-client', clientSecret: randomBytes(32).toString('base64url') };
  const config: ReferenceConfig = {
    audience: 'urn:bench:api',
    clients: [{ client_id: client.clientId, client_secret: client.clientSecret, scope: SCOPE }],
    accessTokenTTL: 3600,
    assertionMaxSeconds: ASSERTION_MAX_SECONDS,
  };
  const server = await spawnListening([...nodeArgs, BARE_SERVER, JSON.stringify(config)], {});
  started.push(server);
  return probe({ name: 'bare oidc-provider', pid: server.pid, ...client }, server.url);
}

/** One real grant first: the load must be measuring successful token issuance. */
async function probe(target: Omit<LoadTarget, 'endpoint'>, url: string): Promise<LoadTarget> {
  const tokens = await TokenClient.discover(url);
  const answer = await tokens.request(target.clientId, target.clientSecret, [SCOPE]);
  if (!answer.ok) throw new Error(`${target.name} refused the benchmark client: ${answer.error} ${answer.description ?? ''}`);
  return { ...target, endpoint: tokens.metadata.token_endpoint };
}

async function load(target: LoadTarget, durationSeconds: number, connections: number): Promise<TokenRunFigures> {
  const cpuBefore = cpuSecondsOf(target.pid);
  const result = await autocannon({
    url: target.endpoint,
    method: 'POST',
    connections,
    duration: durationSeconds,
    headers: {
      // Both parts are URL-safe already (a fixed id, a base64url secret), so no form-encoding is needed.
      authorization: `Basic ${Buffer.from(`${target.clientId}:${target.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE }).toString(),
  });
  const serverCpuSeconds = cpuSecondsOf(target.pid) - cpuBefore;
  const errors = result.errors + result.timeouts;
  return {
    requests: result.requests.total,
    // Tokens a second: refusals and errors are shown beside the rate, never counted in it.
    requestsPerSecond: (result.requests.total - result.non2xx) / durationSeconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors,
    serverCpuMsPerRequest: (serverCpuSeconds * 1000) / Math.max(1, result.requests.total),
  };
}

function summarize(runs: TokenRunFigures[]): TokenSideFigures {
  const median = (pick: (run: TokenRunFigures) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return {
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    requestsPerSecond: median(r => r.requestsPerSecond),
    latencyP50Ms: median(r => r.latencyP50Ms),
    latencyP99Ms: median(r => r.latencyP99Ms),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    serverCpuMsPerRequest: median(r => r.serverCpuMsPerRequest),
    runs,
  };
}
