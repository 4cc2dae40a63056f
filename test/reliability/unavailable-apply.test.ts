/**
 * A server that is briefly unavailable (503 + Retry-After) on a good part of
 * the admin requests: the provider waits as told, retries and converges.
 * The 503s come from a fault-injecting proxy in front of the real server.
 */
import { IncomingMessage } from 'node:http';
import { declaredObjects, snapshotDifferences } from '../support/declared-model';
import { InjectedFault, startFaultProxy } from '../support/fault-proxy';
import { serverBehindProxy } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';
import { generatedConfig, resourceCount } from './generated-config';

/**
 * The first attempt of every other distinct request (method and path) is
 * answered 503: deterministic, so the test cannot pass or fail by luck, and
 * each faulted request needs exactly one retry that honours Retry-After.
 */
function everyOtherFirstAttempt(): (req: IncomingMessage) => InjectedFault | null {
  const seen = new Map<string, number>();
  return req => {
    const id = `${req.method} ${req.url}`;
    const attempts = (seen.get(id) ?? 0) + 1;
    seen.set(id, attempts);
    return attempts === 1 && seen.size % 2 === 1 ? { status: 503, headers: { 'retry-after': '1' } } : null;
  };
}

describe('apply against an intermittently unavailable server', () => {
  const fixture = serverBehindProxy(url => startFaultProxy(url, { fault: everyOtherFirstAttempt() }));

  test('retries 503 after Retry-After, succeeds and plans clean', async () => {
    const config = generatedConfig({ clients: 20, scopes: 16, roles: 8, grants: 40 });
    expect(resourceCount(config)).toBeGreaterThanOrEqual(50);
    fixture.tf.writeConfig(config);
    expectExit(await fixture.tf.init(), 0);

    expectExit(await fixture.tf.apply(), 0);
    expect(fixture.proxy.injected).toBeGreaterThanOrEqual(resourceCount(config) / 2);
    expectExit(await fixture.tf.plan(), 0);

    const snapshot = await fixture.server.admin.snapshot();
    expect(snapshotDifferences(declaredObjects(config), snapshot)).toEqual([]);
  });
});
