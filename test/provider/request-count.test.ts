/**
 * Bulk reads: a no-change plan costs the same number of admin API requests
 * whatever the number of resources (one snapshot per provider process, not
 * one GET per resource). Counted by a small HTTP proxy in front of the server.
 */
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

/** Forwards every request to `target` and records its method and path. */
async function countingProxy(target: string): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const upstream = new URL(target);
  const proxy: Server = createServer((incoming, outgoing) => {
    seen.push(`${incoming.method} ${incoming.url}`);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      answer => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise(resolve => proxy.close(() => resolve())),
  };
}

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
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let tf: Workspace;

  beforeAll(async () => {
    server = await startServer();
    proxy = await countingProxy(server.url);
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
    proxy.seen.length = 0;
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
