/**
 * Bulk reads: a no-change plan costs the same number of admin API requests
 * whatever the number of resources (one snapshot per provider process, not
 * one GET per resource). Counted by the benchmarks' HTTP proxy in front of the server.
 */
import { CountingProxy, startCountingProxy } from '../../bench/counting-proxy';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

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
  let server: EmbeddedServer;
  let proxy: CountingProxy;
  let tf: Workspace;

  beforeAll(async () => {
    server = await startServer();
    proxy = await startCountingProxy(server.url);
    tf = await createWorkspace({ url: proxy.url, adminToken: server.adminToken });
  });
  afterAll(async () => {
    tf?.remove();
    await proxy?.close();
    await server?.stop();
  });

  async function noChangePlanRequests(count: number): Promise<string[]> {
    tf.writeConfig(scopes(count));
    if (count === 2) expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);
    proxy.reset();
    expectExit(await tf.plan(), 0);
    return [...proxy.seen];
  }

  test('does not grow with the number of resources', async () => {
    const few = await noChangePlanRequests(2);
    const many = await noChangePlanRequests(40);
    expect(few).toEqual(['GET /admin/v1/snapshot']);
    expect(many).toEqual(few);
  });
});
