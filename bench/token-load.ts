/**
 * Load on the token endpoint: client-credentials grants over loopback with
 * autocannon, against a fresh embedded server holding one client with one
 * role. Every answer must be a 200 with an access token: a load test that
 * counted refusals as throughput would flatter the server.
 */
import autocannon from 'autocannon';
import { startBenchServer } from './bench-server';
import { cpuSecondsOf } from './process-sampler';
import { TokenClient } from '../lib/verify/token-client';

export interface TokenLoadFigures {
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  /** Server CPU per answered request: with one Node process serving, this bounds the rate. */
  serverCpuMsPerRequest: number;
}

const SCOPE = 'catalog.read';

export async function runTokenLoad(options: { durationSeconds: number; connections: number; log: (line: string) => void }): Promise<TokenLoadFigures> {
  const server = await startBenchServer();
  try {
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

    // One real grant first: the load below must be measuring successful token issuance.
    const tokens = await TokenClient.discover(server.url);
    const probe = await tokens.request('bench-client', clientSecret, [SCOPE]);
    if (!probe.ok) throw new Error(`the token endpoint refused the benchmark client: ${probe.error} ${probe.description ?? ''}`);

    const endpoint = tokens.metadata.token_endpoint;
    options.log(`    token: ${options.connections} connections for ${options.durationSeconds} s on ${endpoint}`);
    const cpuBefore = cpuSecondsOf(server.pid);
    const result = await autocannon({
      url: endpoint,
      method: 'POST',
      connections: options.connections,
      duration: options.durationSeconds,
      headers: {
        // Both parts are URL-safe already (a fixed id, a base64url secret), so no form-encoding is needed.
        authorization: `Basic ${Buffer.from(`bench-client:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE }).toString(),
    });
    const serverCpuSeconds = cpuSecondsOf(server.pid) - cpuBefore;
    return {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      requests: result.requests.total,
      requestsPerSecond: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      serverCpuMsPerRequest: (serverCpuSeconds * 1000) / Math.max(1, result.requests.total),
    };
  } finally {
    await server.stop();
  }
}
