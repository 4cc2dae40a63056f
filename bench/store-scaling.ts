/**
 * Token rate by store: one server on SQLite, one on PostgreSQL, and two
 * instances sharing one PostgreSQL database, under the same client-credentials
 * load (autocannon; with two instances, half the connections on each), in
 * alternating rounds so that a machine whose speed drifts moves every side
 * alike. Only 2xx answers count as tokens. Besides the rate, the CPU each
 * token costs the server processes and the database: on a machine with more
 * cores, the rate two instances can reach is about cores / (server + database
 * CPU per token), until the database's share saturates its own cores.
 *
 * The database is started with the test suite's helper (test/support/postgres.ts):
 * the same real PostgreSQL the multi-instance tests run.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { cpuSecondsOf, treeCpuSecondsOf } from './process-sampler';
import { BenchServer, startBenchServer } from './bench-server';
import { Postgres, startPostgres } from '../test/support/postgres';

const SCOPE = 'catalog.read';

export interface StoreSideFigures {
  name: string;
  instances: number;
  /** Tokens a second, median of the rounds. */
  tokensPerSecond: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU (all instances) per token, median of the rounds. */
  serverCpuMsPerToken: number;
  /** Database CPU (PostgreSQL and its backends) per token; 0 on SQLite, whose work is in the server's process. */
  databaseCpuMsPerToken: number;
}

export interface StoreScalingFigures {
  connections: number;
  durationSeconds: number;
  rounds: number;
  cores: number;
  sides: StoreSideFigures[];
}

interface Side {
  name: string;
  servers: BenchServer[];
  secret: string;
  database: Postgres | null;
}

/** One round of one side. */
type Run = Omit<StoreSideFigures, 'name' | 'instances'>;

export async function runStoreScaling(options: {
  durationSeconds: number;
  connections: number;
  rounds: number;
  cores: number;
  log: (line: string) => void;
}): Promise<StoreScalingFigures> {
  const pg = await startPostgres();
  const sides: Side[] = [];
  try {
    const adminToken = randomBytes(24).toString('base64url');
    const onPostgres = (database: string, instances: number) => {
      const url = pg.createDatabase(database);
      return Promise.all(Array.from({ length: instances }, () => startBenchServer({ PROCUREMENT_ADMIN_TOKEN: adminToken, PROCUREMENT_STORE_URL: url })));
    };
    for (const [name, servers, database] of [
      ['SQLite, 1 instance', [await startBenchServer()], null],
      ['PostgreSQL, 1 instance', await onPostgres('bench_one', 1), pg],
      ['PostgreSQL, 2 instances', await onPostgres('bench_two', 2), pg],
    ] as const) {
      sides.push({ name, servers: [...servers], secret: await setUp(servers[0]), database });
    }
    const runs = new Map<Side, Run[]>(sides.map(side => [side, []]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const side of sides) {
        options.log(`    ${side.name}: round ${round} of ${options.rounds}, ${options.connections} connections for ${options.durationSeconds} s`);
        runs.get(side)!.push(await load(side, options.durationSeconds, options.connections));
      }
    }
    return {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      rounds: options.rounds,
      cores: options.cores,
      sides: sides.map(side => summarize(side, runs.get(side)!)),
    };
  } finally {
    for (const side of sides) for (const server of side.servers) await server.stop();
    await pg.stop();
  }
}

/** One client holding one scope through a role; one real grant first, so that the load measures successful issuance. */
async function setUp(server: BenchServer): Promise<string> {
  const { admin } = server;
  await admin.put('scopes', { name: SCOPE, description: 'Read the supplier catalog.', risk: 'low', external: false, implies: [] }, SCOPE);
  await admin.put('roles', { name: 'catalog-reader', description: 'Reads catalogs.', scopes: [SCOPE] }, 'catalog-reader');
  const { clientSecret } = await admin.put('clients', { clientId: 'bench-client', displayName: 'Benchmark client', owner: 'bench' } as never, 'bench-client');
  await admin.put('role-bindings', { name: 'bench', role: 'catalog-reader', subjects: [{ clientId: 'bench-client' }] } as never, 'bench');
  const probe = await fetch(`${server.url}/token`, { method: 'POST', headers: headers(clientSecret!), body: BODY });
  if (probe.status !== 200) throw new Error(`the token endpoint refused the benchmark client: ${probe.status} ${await probe.text()}`);
  return clientSecret!;
}

const BODY = new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE }).toString();

function headers(secret: string): Record<string, string> {
  // Both parts are URL-safe already (a fixed id, a base64url secret), so no form-encoding is needed.
  return { authorization: `Basic ${Buffer.from(`bench-client:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' };
}

async function load(side: Side, durationSeconds: number, connections: number): Promise<Run> {
  const serverCpu = () => side.servers.reduce((sum, server) => sum + cpuSecondsOf(server.pid), 0);
  const databaseCpu = () => (side.database ? treeCpuSecondsOf(side.database.pid()) : 0);
  const [serverBefore, databaseBefore] = [serverCpu(), databaseCpu()];
  const each = Math.max(1, Math.round(connections / side.servers.length));
  const results = await Promise.all(
    side.servers.map(server =>
      autocannon({ url: `${server.url}/token`, method: 'POST', connections: each, duration: durationSeconds, headers: headers(side.secret), body: BODY }),
    ),
  );
  const tokens = results.reduce((sum, r) => sum + r.requests.total - r.non2xx, 0);
  const perToken = (seconds: number) => (seconds * 1000) / Math.max(1, tokens);
  return {
    tokensPerSecond: tokens / durationSeconds,
    latencyP99Ms: Math.max(...results.map(r => r.latency.p99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    serverCpuMsPerToken: perToken(serverCpu() - serverBefore),
    databaseCpuMsPerToken: perToken(databaseCpu() - databaseBefore),
  };
}

function summarize(side: Side, runs: Run[]): StoreSideFigures {
  const median = (pick: (run: Run) => number) => {
    const sorted = runs.map(pick).sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return {
    name: side.name,
    instances: side.servers.length,
    tokensPerSecond: median(r => r.tokensPerSecond),
    latencyP99Ms: median(r => r.latencyP99Ms),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    serverCpuMsPerToken: median(r => r.serverCpuMsPerToken),
    databaseCpuMsPerToken: median(r => r.databaseCpuMsPerToken),
  };
}
