/**
 * Bulk reads: a no-change plan costs the same number of admin API requests
 * whatever the number of resources (one snapshot per provider process, not
 * one GET per resource). Counted by the benchmarks' HTTP proxy in front of the server.
 */
import { startCountingProxy } from '../../bench/counting-proxy';
import { serverBehindProxy } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

function scopes(count: number) {
  const resource = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`s${i}`, { name: `catalog.read${i}`, description: `Scope ${i}`, risk: 'low' }]),
  );
  return {
    resource: {
      procurement_scope: resource,
      procurement_client: Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`c${i}`, { client_id: `client-${i}`, display_name: `Client ${i}`, owner: 'team' }]),
      ),
    },
  };
}

describe('requests of a no-change plan', () => {
  const fixture = serverBehindProxy(startCountingProxy);

  async function noChangePlanRequests(count: number): Promise<string[]> {
    fixture.tf.writeConfig(scopes(count));
    if (count === 2) expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
    fixture.proxy.reset();
    expectExit(await fixture.tf.plan(), 0);
    return [...fixture.proxy.seen];
  }

  test('does not grow with the number of resources', async () => {
    const few = await noChangePlanRequests(2);
    const many = await noChangePlanRequests(40);
    expect(few).toEqual(['GET /admin/v1/snapshot']);
    expect(many).toEqual(few);
  });
});
