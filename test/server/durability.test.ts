/** What survives a restart and a kill -9: data, signing keys, secrets, every acknowledged write and token grant. */
import { readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { AuditEntry } from '../../lib/model/admin-api';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { serverWentAway } from '../support/server-went-away';
import { testStore } from '../support/test-store';
import { waitFor } from '../support/wait-for';

let server: EmbeddedServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.stop());

async function token(clientId: string, secret: string): Promise<{ status: number; accessToken?: string }> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, accessToken: body.access_token };
}

async function jwks(): Promise<unknown> {
  return (await fetch(`${server.url}/jwks`)).json();
}

test('a restart keeps the objects, the revision, the signing key, client secrets and the admin token', async () => {
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] }, 'catalog.read');
  const { clientSecret } = await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp');
  const before = await admin.snapshot();
  const keys = await jwks();
  const issued = await token('erp', clientSecret!);
  const adminToken = server.adminToken;

  await server.restart();

  expect(server.adminToken).toBe(adminToken);
  expect(await server.admin.snapshot()).toEqual(before);
  expect(await jwks()).toEqual(keys);
  expect((await token('erp', clientSecret!)).status).toBe(200);
  // A token issued before the restart still introspects as active: same issuer, same key.
  const res = await fetch(`${server.url}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: issued.accessToken! }),
  });
  expect(await res.json()).toMatchObject({ active: true, client_id: 'erp' });
});

test('keeps secrets and keys in files only the owner can read, and never prints the admin token', () => {
  const sqlite = testStore() === 'sqlite';
  if (sqlite) expect(readdirSync(server.dataDir)).toEqual(expect.arrayContaining(['admin-token', 'store.sqlite']));
  // On PostgreSQL the store is the database and the admin token comes from the environment: nothing lands on disk.
  else expect(readdirSync(server.dataDir)).toEqual([]);
  for (const file of readdirSync(server.dataDir)) expect([file, statSync(join(server.dataDir, file)).mode & 0o077]).toEqual([file, 0]);
  expect(server.stdout()).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m);
  expect(server.stdout()).toContain(sqlite ? join(server.dataDir, 'admin-token') : 'admin token: environment variable PROCUREMENT_ADMIN_TOKEN');
  expect(server.stdout()).toMatch(sqlite ? /^store: SQLite in /m : /^store: PostgreSQL at 127\.0\.0\.1:\d+\/store_\d+$/m);
  expect(server.stdout() + server.stderr()).not.toContain(server.adminToken);
  expect(server.stderr()).not.toContain('Unsupported runtime');
});

test('kill -9 during a burst of writes loses no acknowledged write', async () => {
  const acknowledged: string[] = [];
  const unexpected: string[] = [];
  const writers = Array.from({ length: 4 }, async (_, worker) => {
    for (let i = 0; ; i++) {
      const name = `burst.w${worker}-${i}`;
      try {
        await server.admin.put('scopes', { name, description: 'burst', risk: 'low', external: false, implies: [] }, name);
      } catch (error) {
        // Only the server going away ends a writer; anything else is a failure the test reports.
        if (!serverWentAway(error)) unexpected.push(String(error));
        return;
      }
      acknowledged.push(name);
    }
  });
  // Killed while the writers are busy: after a first batch is acknowledged, not after a fixed delay.
  const deadline = Date.now() + 60_000;
  while (acknowledged.length < 20 && unexpected.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
  await server.kill9();
  await Promise.all(writers);
  expect(unexpected).toEqual([]);
  expect(acknowledged.length).toBeGreaterThanOrEqual(20);

  await server.restart();
  const stored = new Set((await server.admin.list('scopes')).map(s => s.name));
  expect(acknowledged.filter(name => !stored.has(name))).toEqual([]);
  // Each stored write came with its audit entry, in the same transaction.
  const audited = (await server.admin.audit({ kind: 'scopes', action: 'create', limit: 1000 })).items.map(e => e.key);
  expect(new Set(audited)).toEqual(stored);
});

test('SIGTERM lets a request under way finish, then ends its kept-alive connection', async () => {
  const { port } = new URL(server.url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<void>(resolve => socket.once('close', () => resolve()));
  const body = JSON.stringify({ name: 'drain.write', description: 'Sent while the server stops', risk: 'low', external: false, implies: [] });
  const head = [
    'PUT /admin/v1/scopes/drain.write HTTP/1.1',
    `host: 127.0.0.1:${port}`,
    `authorization: Bearer ${server.adminToken}`,
    'x-actor: test',
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    // The server's "100 Continue" says it read the headers: from then on the request is under way, its connection not idle.
    'expect: 100-continue',
  ];
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  await waitFor(() => received.includes('100 Continue'), "the server's 100 Continue");
  const stopped = server.terminate();
  await waitFor(() => server.stderr().includes('received SIGTERM: shutting down'), 'the server to begin its shutdown');
  socket.write(body);
  await closed;
  await stopped;
  // Answered, and told that the connection ends with this answer: a client in a loop would otherwise get answers until the connections are cut.
  const answer = received.slice(received.indexOf('100 Continue'));
  expect(answer).toMatch(/^HTTP\/1\.1 20[01] /m);
  expect(answer).toMatch(/^connection: close\r$/im);

  await server.restart();
  expect((await server.admin.list('scopes')).map(s => s.name)).toContain('drain.write');
});

test.each([
  ['kill -9', () => server.kill9()],
  // A graceful stop lets in-flight answers finish with the store before it closes.
  ['SIGTERM', () => server.terminate()],
])('%s during a burst of token requests loses no acknowledged grant: each token has its audit entry, its usage is recorded', async (_signal, stop) => {
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  const clients = ['erp', 'desk'];
  const secrets: Record<string, string> = {};
  for (const clientId of clients) secrets[clientId] = (await admin.put('clients', { clientId, displayName: clientId, owner: 'team' } as never, clientId)).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: clients.map(clientId => ({ clientId, expiresAt: null, justification: null })) }, 'readers');

  const acknowledged: { jti: string; clientId: string }[] = [];
  const unexpected: string[] = [];
  // More requesters than connections a batch needs, so that grants share batches.
  const requesters = Array.from({ length: 8 }, async (_, worker) => {
    const clientId = clients[worker % clients.length];
    for (;;) {
      let answer: { status: number; accessToken?: string };
      try {
        answer = await token(clientId, secrets[clientId]);
      } catch (error) {
        if (!serverWentAway(error)) unexpected.push(String(error));
        return;
      }
      if (answer.status !== 200) return void unexpected.push(`HTTP ${answer.status}`);
      const { jti } = JSON.parse(Buffer.from(answer.accessToken!.split('.')[1], 'base64url').toString()) as { jti: string };
      acknowledged.push({ jti, clientId });
    }
  });
  // Killed while the requesters are busy: after a first hundred tokens, not after a fixed delay.
  const deadline = Date.now() + 60_000;
  while (acknowledged.length < 100 && unexpected.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
  await stop();
  await Promise.all(requesters);
  expect(unexpected).toEqual([]);
  expect(acknowledged.length).toBeGreaterThanOrEqual(100);
  expect(server.stderr()).not.toMatch(/not open|Error/);

  await server.restart();
  const grants = new Map<string, AuditEntry>();
  for (let after: string | undefined; ; ) {
    const page = await server.admin.audit({ action: 'token.grant', limit: 1000, ...(after ? { after } : {}) });
    for (const entry of page.items) grants.set(entry.key!, entry);
    if (!page.next) break;
    after = page.next;
  }
  expect(acknowledged.filter(({ jti }) => !grants.has(jti))).toEqual([]);
  for (const { jti, clientId } of acknowledged) expect(grants.get(jti)).toMatchObject({ clientId, actor: clientId, grantedScopes: ['catalog.read'] });
  // The usage of each client is at least as recent as its last acknowledged grant.
  const usage = await server.admin.usage();
  for (const clientId of clients) {
    const latest = acknowledged.filter(a => a.clientId === clientId).map(a => grants.get(a.jti)!.at).sort().pop();
    if (!latest) continue;
    const used = usage.find(u => u.clientId === clientId && u.scope === 'catalog.read');
    expect(used).toBeDefined();
    expect(used!.lastUsedAt >= latest).toBe(true);
  }
});
