/**
 * A server that throttles its admin API (429 + Retry-After) slows an apply
 * down but does not break it: the provider backs off, honours Retry-After,
 * retries and converges. A counting proxy proves that 429s really happened.
 */
import { declaredObjects, snapshotDifferences } from '../support/declared-model';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';
import { generatedConfig, resourceCount } from './generated-config';

const REQUESTS_PER_SECOND = 5;

describe('apply against a rate-limited admin API', () => {
  let server: EmbeddedServer;
  let proxy: FaultProxy;
  let tf: Workspace;

  beforeAll(async () => {
    // The test's own admin client is throttled too: let it retry like the provider does.
    server = await startServer({ args: ['--admin-rate-limit', String(REQUESTS_PER_SECOND)], adminClient: { maxAttempts: 10 } });
    proxy = await startFaultProxy(server.url);
    tf = await createWorkspace({ url: proxy.url, adminToken: server.adminToken });
  });
  afterAll(async () => {
    tf?.remove();
    await proxy?.close();
    await server?.stop();
  });

  test('backs off on 429 with Retry-After, succeeds and plans clean', async () => {
    const config = generatedConfig({ clients: 20, scopes: 16, roles: 8, grants: 40 });
    expect(resourceCount(config)).toBeGreaterThanOrEqual(50);
    tf.writeConfig(config);
    expectExit(await tf.init(), 0);

    const apply = await tf.apply();
    expectExit(apply, 0);
    expect(proxy.upstreamStatuses.get(429) ?? 0).toBeGreaterThan(0);
    expectExit(await tf.plan(), 0);

    // Throttling must not cost correctness: exactly the declared objects, with their values.
    const snapshot = await server.admin.snapshot();
    expect(snapshotDifferences(declaredObjects(config), snapshot)).toEqual([]);
  });
});
