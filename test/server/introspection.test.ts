/**
 * Who may introspect whose token (RFC 7662): a client its own tokens, a
 * resource server (a client with `introspection`) and an admin every
 * client's; anyone else learns nothing, with the answer an unknown token gets.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;
const secrets: Record<string, string> = {};

function basic(clientId: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secrets[clientId]}`).toString('base64')}`;
}

async function token(clientId: string): Promise<string> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: basic(clientId), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=catalog.read',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Introspects `value` as `caller` (a client id, or 'admin'), with client_secret_basic or, when `post`, client_secret_post. */
async function introspect(caller: string, value: string, post = false): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({ token: value });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (caller === 'admin') headers.authorization = `Bearer ${server.adminToken}`;
  else if (!post) headers.authorization = basic(caller);
  else {
    form.set('client_id', caller);
    form.set('client_secret', secrets[caller]);
  }
  const res = await fetch(`${server.url}/token/introspection`, { method: 'POST', headers, body: form });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function putClient(clientId: string, introspection?: boolean) {
  const body = { clientId, displayName: clientId, owner: 'team', ...(introspection === undefined ? {} : { introspection }) };
  return server.admin.put('clients', body as never, clientId);
}

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read the catalog', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  for (const [clientId, flag] of [['erp', undefined], ['desk', undefined], ['gateway', true]] as const) {
    secrets[clientId] = (await putClient(clientId, flag)).clientSecret!;
  }
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }, { clientId: 'desk' }] } as never, 'readers');
});
afterAll(() => server.stop());

test('a client is not a resource server unless it says so', async () => {
  expect((await server.admin.get('clients', 'erp'))?.value).toMatchObject({ introspection: false });
  expect((await server.admin.get('clients', 'gateway'))?.value).toMatchObject({ introspection: true });
});

test("fails cross-client introspection: another client's live token answers exactly what a forged one does", async () => {
  const erpToken = await token('erp');
  expect(await introspect('desk', erpToken)).toEqual({ active: false });
  expect(await introspect('desk', erpToken, true)).toEqual({ active: false });
  expect(await introspect('desk', `${erpToken.slice(0, -4)}AAAA`)).toEqual({ active: false });
  // The same token, seen by those allowed to see it.
  const active = { active: true, client_id: 'erp', scope: 'catalog.read', token_type: 'Bearer' };
  expect(await introspect('erp', erpToken)).toMatchObject(active);
  expect(await introspect('gateway', erpToken)).toMatchObject(active);
  expect(await introspect('admin', erpToken)).toMatchObject(active);
});

test('a client introspects its own tokens, and the flag takes effect (and is withdrawn) at once', async () => {
  const deskToken = await token('desk');
  expect(await introspect('desk', deskToken)).toMatchObject({ active: true, client_id: 'desk' });
  const erpToken = await token('erp');
  await putClient('desk', true);
  expect(await introspect('desk', erpToken)).toMatchObject({ active: true, client_id: 'erp' });
  await putClient('desk', false);
  expect(await introspect('desk', erpToken)).toEqual({ active: false });
});
