/**
 * A server that throttles its admin API (429 + Retry-After) slows an apply
 * down but does not break it: the provider backs off, honours Retry-After,
 * retries and converges. A counting proxy proves that 429s really happened.
 */
import { declaredObjects, snapshotDifferences } from '../support/declared-model';
import { startFaultProxy } from '../support/fault-proxy';
import { serverBehindProxy } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';
import { generatedConfig, resourceCount } from './generated-config';

const REQUESTS_PER_SECOND = 5;

describe('apply against a rate-limited admin API', () => {
  // The test's own admin client is throttled too: let it retry like the provider does.
  const fixture = serverBehindProxy(startFaultProxy, { args: ['--admin-rate-limit', String(REQUESTS_PER_SECOND)], adminClient: { maxAttempts: 10 } });

  test('backs off on 429 with Retry-After, succeeds and plans clean', async () => {
    const config = generatedConfig({ clients: 20, scopes: 16, roles: 8, grants: 40 });
    expect(resourceCount(config)).toBeGreaterThanOrEqual(50);
    fixture.tf.writeConfig(config);
    expectExit(await fixture.tf.init(), 0);

    const apply = await fixture.tf.apply();
    expectExit(apply, 0);
    expect(fixture.proxy.upstreamStatuses.get(429) ?? 0).toBeGreaterThan(0);
    expectExit(await fixture.tf.plan(), 0);

    // Throttling must not cost correctness: exactly the declared objects, with their values.
    const snapshot = await fixture.server.admin.snapshot();
    expect(snapshotDifferences(declaredObjects(config), snapshot)).toEqual([]);
  });
});
