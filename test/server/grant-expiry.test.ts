/**
 * A grant that expires while a token issued under it is still live: the
 * server's clock moves (an injected clock, test/support/server-with-clock.js),
 * and from the grant's expiry on the token introspects as inactive and the
 * scope is refused, while before it both work.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { introspect as introspectAt } from '../support/introspection';

let server: EmbeddedServer;
const introspect = (accessToken: string) => introspectAt(server, accessToken);
let secret: string;
/** The grant runs out this long after the server's start; the client's token lifetime is a day, so the grant caps it. */
const GRANT_SECONDS = 3600;

async function token(scope: string) {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`erp:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; expires_in?: number; error?: string } };
}

beforeEach(async () => {
  // erp holds catalog.read and payment.approve (a conflicting pair): this test is about expiry, not duties.
  server = await startServer({ movableClock: true, policy: { environment: 'dev', severities: { 'SEPARATION-OF-DUTIES': 'off' } } });
  const { admin } = server;
  for (const name of ['catalog.read', 'payment.approve']) {
    await admin.put('scopes', { name, description: `Can ${name}`, risk: 'low', external: false, implies: [] }, name);
  }
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  await admin.put('roles', { name: 'payer', description: 'Pays', scopes: ['payment.approve'] }, 'payer');
  secret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team', tokenLifetimeSeconds: 86_400 } as never, 'erp')).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  const expiresAt = new Date(Date.now() + GRANT_SECONDS * 1000).toISOString();
  await admin.put('role-bindings', { name: 'payers', role: 'payer', subjects: [{ clientId: 'erp', expiresAt, justification: 'CHG-7' }] } as never, 'payers');
});
afterEach(() => server.stop());

test('a token stays active while its grant runs and turns inactive once the grant expires; its exp is capped at the grant\'s end, not the 1-day lifetime', async () => {
  const issued = await token('payment.approve catalog.read');
  expect(issued.status).toBe(200);
  // One second of margin below the grant's end (token-lifetime.ts), a few more for a loaded machine.
  expect(issued.body.expires_in).toBeLessThanOrEqual(GRANT_SECONDS - 1);
  expect(issued.body.expires_in).toBeGreaterThan(GRANT_SECONDS - 30);
  const accessToken = issued.body.access_token!;

  await server.advanceClock(GRANT_SECONDS - 60);
  expect(await introspect(accessToken)).toMatchObject({ active: true, scope: 'catalog.read payment.approve' });
  expect((await token('payment.approve')).status).toBe(200);

  await server.advanceClock(120);
  expect(await introspect(accessToken)).toEqual({ active: false });
  expect((await token('payment.approve')).body.error).toBe('invalid_scope');
  // The unexpired grant still works, in a new token.
  expect((await token('catalog.read')).status).toBe(200);
  expect((await server.admin.effectiveScopes('erp')).scopes).toEqual(['catalog.read']);
});

test('a token under a grant without expiry stays active however far the clock moves within its lifetime', async () => {
  const { body } = await token('catalog.read');
  await server.advanceClock(86_400 - 600);
  expect(await introspect(body.access_token!)).toMatchObject({ active: true, scope: 'catalog.read' });
});
