/**
 * The glewlwyd adapter against a real glewlwyd (Debian package) in its own process, private database: what it
 * creates, reads back, narrows, disables and deletes is what glewlwyd really does, read from real tokens. glewlwyd
 * narrows a request for allowed and disallowed scopes silently: the granted scopes are read from the token.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DownstreamAdapter, DownstreamError } from '../../lib/server/downstream/adapter';
import { GlewlwydAdapter } from '../../lib/server/downstream/glewlwyd';
import { GlewlwydDownstream, startGlewlwydDownstream } from '../support/glewlwyd-downstream';
import { requestToken } from '../support/rfc7592-downstream';
import { postForm } from '../support/token-requests';

const SCOPES = ['catalog.read', 'po.create', 'payment.approve'];
let downstream: GlewlwydDownstream;
let adapter: DownstreamAdapter;
let tokenEndpoint: string;

beforeAll(async () => {
  downstream = await startGlewlwydDownstream();
  adapter = new GlewlwydAdapter(downstream.config);
  await adapter.ensureScopes(SCOPES.map(name => ({ name, description: `Can ${name}` })));
  tokenEndpoint = await adapter.tokenEndpoint();
});
afterAll(() => downstream?.stop());

test('create takes our client id and secret; the token carries exactly the allowed scopes, signed by glewlwyd', async () => {
  const { owned, credentials } = await adapter.create('buyer-bot', ['catalog.read'], 'our-candidate-secret');
  expect(credentials).toEqual({ clientId: 'buyer-bot', clientSecret: 'our-candidate-secret' });
  expect(owned).toEqual({ clientId: 'buyer-bot', remoteId: 'buyer-bot', state: '' });

  const answer = await postForm(tokenEndpoint, { basic: ['buyer-bot', 'our-candidate-secret'], form: { scope: 'catalog.read' } });
  const [header, payload, signature] = answer.body.access_token!.split('.');
  expect(createHmac('sha256', downstream.signingKey).update(`${header}.${payload}`).digest('base64url')).toBe(signature);

  expect(await requestToken(tokenEndpoint, 'buyer-bot', 'our-candidate-secret', 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  // Narrowed, not refused: only what was granted is in the token.
  expect(await requestToken(tokenEndpoint, 'buyer-bot', 'our-candidate-secret', 'catalog.read po.create')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  expect(await requestToken(tokenEndpoint, 'buyer-bot', 'our-candidate-secret', 'po.create')).toMatchObject({ status: 400, error: 'scope_invalid', scopes: null });
  expect(await requestToken(tokenEndpoint, 'buyer-bot', 'wrong-secret', 'catalog.read')).toMatchObject({ status: 403, scopes: null });
  expect(await adapter.list([owned])).toEqual([{ clientId: 'buyer-bot', remoteId: 'buyer-bot', enabled: true, scopes: ['catalog.read'] }]);
});

test('ensureScopes creates the missing scope objects and leaves the existing ones as they are', async () => {
  expect((await downstream.admin('POST', '/scope/', { name: 'audit.read', display_name: 'by hand', description: 'made by hand', password_required: false, scheme: {} })).status).toBe(200);
  await adapter.ensureScopes([
    { name: 'audit.read', description: 'ours' },
    { name: 'invoice.pay', description: 'Can pay invoices' },
  ]);
  await adapter.ensureScopes([{ name: 'invoice.pay', description: 'Can pay invoices' }]);
  expect((await downstream.admin('GET', '/scope/audit.read')).body).toMatchObject({ display_name: 'by hand', description: 'made by hand' });
  expect((await downstream.admin('GET', '/scope/invoice.pay')).body).toMatchObject({ name: 'invoice.pay', description: 'Can pay invoices', password_required: false });
});

test('setScopes replaces the allowed set and keeps the secret; an empty set disables, never widens', async () => {
  const { owned, credentials } = await adapter.create('approver-bot', ['catalog.read'], 'approver-secret');
  expect(await adapter.setScopes(owned, ['po.create', 'payment.approve'])).toEqual(owned);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'po.create payment.approve catalog.read')).toMatchObject({
    status: 200,
    scopes: ['payment.approve', 'po.create'],
  });
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 400, error: 'scope_invalid' });

  await adapter.setScopes(owned, []);
  expect(await adapter.list([owned])).toEqual([{ clientId: 'approver-bot', remoteId: 'approver-bot', enabled: false, scopes: [] }]);
  for (const scope of ['po.create', undefined]) {
    const refused = await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, scope);
    expect(refused).toMatchObject({ status: 403, scopes: null });
  }

  await adapter.setScopes(owned, ['catalog.read']);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read po.create')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
});

test('a client created with nothing allowed gets no token', async () => {
  const { credentials, owned } = await adapter.create('idle-bot', [], 'idle-secret');
  for (const scope of ['catalog.read', undefined]) expect((await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, scope)).scopes).toBeNull();
  expect(await adapter.list([owned])).toEqual([{ clientId: 'idle-bot', remoteId: 'idle-bot', enabled: false, scopes: [] }]);
});

test('a change made by hand in glewlwyd is read back as it is, and setScopes puts the client back', async () => {
  const { owned, credentials } = await adapter.create('drift-bot', ['catalog.read'], 'drift-secret');
  const byHand = { name: 'drift-bot', confidential: true, enabled: true, authorization_type: ['client_credentials'], scope: ['catalog.read', 'payment.approve'] };
  expect((await downstream.admin('PUT', '/client/drift-bot', byHand)).status).toBe(200);
  expect(await adapter.list([owned])).toEqual([{ clientId: 'drift-bot', remoteId: 'drift-bot', enabled: true, scopes: ['catalog.read', 'payment.approve'] }]);
  // A public client cannot use client credentials: it reads as disabled, so that an enabled model differs from it.
  expect((await downstream.admin('PUT', '/client/drift-bot', { ...byHand, confidential: false })).status).toBe(200);
  expect((await adapter.list([owned]))[0]).toMatchObject({ enabled: false, scopes: [] });
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ scopes: null });

  await adapter.setScopes(owned, ['catalog.read']);
  expect(await adapter.list([owned])).toEqual([{ clientId: 'drift-bot', remoteId: 'drift-bot', enabled: true, scopes: ['catalog.read'] }]);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'payment.approve')).toMatchObject({ status: 400, error: 'scope_invalid' });
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
});

test('a client id glewlwyd already has is refused as a conflict, and left untouched', async () => {
  const theirs = { client_id: 'their-bot', name: 'theirs', confidential: true, password: 'their-secret', enabled: true, authorization_type: ['client_credentials'], scope: ['po.create'] };
  expect((await downstream.admin('POST', '/client/', theirs)).status).toBe(200);
  const refusal = await adapter.create('their-bot', ['catalog.read'], 'our-secret').catch((e: unknown) => e);
  expect(refusal).toBeInstanceOf(DownstreamError);
  expect(refusal).toMatchObject({ reason: 'conflict', message: expect.stringMatching(/client 'their-bot' already exists there and procurement-scopes did not create it, so it was left untouched/) });
  expect((refusal as Error).message).not.toContain('our-secret');
  expect(await requestToken(tokenEndpoint, 'their-bot', 'their-secret', 'po.create catalog.read')).toMatchObject({ status: 200, scopes: ['po.create'] });
  expect((await requestToken(tokenEndpoint, 'their-bot', 'our-secret', 'catalog.read')).status).toBe(403);
});

test('list reads every owned client past glewlwyd\'s 100-client page, and only owned ones', async () => {
  const owned = [];
  for (let i = 0; i < 101; i++) owned.push((await adapter.create(`fleet-${String(i).padStart(3, '0')}`, [SCOPES[i % 3]], `fleet-secret-${i}`)).owned);
  const listed = await adapter.list(owned);
  expect(listed.map(c => c.clientId)).toEqual(owned.map(c => c.clientId));
  expect(listed[100]).toEqual({ clientId: 'fleet-100', remoteId: 'fleet-100', enabled: true, scopes: [SCOPES[100 % 3]] });
  expect((await adapter.list([owned[0]])).map(c => c.clientId)).toEqual(['fleet-000']);
});

test('delete removes the client: it is no longer listed and its credentials fail; deleting again is no error', async () => {
  const { owned, credentials } = await adapter.create('gone-bot', ['catalog.read'], 'gone-secret');
  await adapter.delete(owned);
  expect(await adapter.list([owned])).toEqual([]);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 403, scopes: null });
  await expect(adapter.delete(owned)).resolves.toBeUndefined();
  await expect(adapter.setScopes(owned, ['catalog.read'])).rejects.toMatchObject({ reason: 'refused', message: expect.stringContaining("client 'gone-bot' is gone") });
});

test('a stopped glewlwyd is a DownstreamError naming it; after a restart on its database everything is still there', async () => {
  const { owned, credentials } = await adapter.create('durable-bot', ['po.create'], 'durable-secret');
  await downstream.terminate();
  await expect(adapter.list([owned])).rejects.toMatchObject({ name: 'DownstreamError', reason: 'unreachable', message: expect.stringContaining(downstream.config.apiUrl) });
  await expect(adapter.create('later-bot', ['po.create'], 'x')).rejects.toMatchObject({ reason: 'unreachable' });
  await downstream.start();
  expect(await adapter.list([owned])).toEqual([{ clientId: 'durable-bot', remoteId: 'durable-bot', enabled: true, scopes: ['po.create'] }]);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'po.create')).toMatchObject({ status: 200, scopes: ['po.create'] });
});

test('a wrong API key is refused with the file and what to do named, never the key', async () => {
  const file = join(downstream.dir, 'wrong-key');
  writeFileSync(file, 'not-the-api-key', { mode: 0o600 });
  const wrong: DownstreamAdapter = new GlewlwydAdapter({ ...downstream.config, apiKeyFile: file });
  const refusal = await wrong.create('x-bot', ['catalog.read'], 'x-secret').catch((e: Error) => e);
  expect(refusal).toMatchObject({ name: 'DownstreamError', reason: 'refused' });
  expect((refusal as Error).message).toContain(`create client 'x-bot': the API key in ${file} was refused (401)`);
  expect((refusal as Error).message).not.toMatch(/not-the-api-key|x-secret/);
});

test('a plugin that is missing or cannot issue client-credentials tokens is refused, naming it', async () => {
  await expect(new GlewlwydAdapter({ ...downstream.config, plugin: 'nope' }).tokenEndpoint()).rejects.toMatchObject({
    reason: 'refused',
    message: expect.stringContaining("there is no plugin instance 'nope'"),
  });
  const plugin = (await downstream.admin('GET', `/mod/plugin/${downstream.config.plugin}`)).body as { parameters: Record<string, unknown> };
  const noClientCredentials = { ...plugin, name: 'no-cc', parameters: { ...plugin.parameters, 'auth-type-client-enabled': false } };
  expect((await downstream.admin('POST', '/mod/plugin/', noClientCredentials)).status).toBe(200);
  const refusal = await new GlewlwydAdapter({ ...downstream.config, plugin: 'no-cc' }).tokenEndpoint().catch((e: Error) => e);
  expect(refusal).toMatchObject({ reason: 'refused', message: expect.stringContaining("plugin instance 'no-cc' cannot issue client-credentials tokens") });
  expect((refusal as Error).message).not.toContain(downstream.signingKey);
});

test('a glewlwyd that accepts and never answers is unreachable after a bounded wait, not a hang', async () => {
  const silent = createServer(socket => socket.on('error', () => undefined));
  await new Promise<void>(done => silent.listen(0, '127.0.0.1', done));
  try {
    const { port } = silent.address() as { port: number };
    const stuck = new GlewlwydAdapter({ ...downstream.config, apiUrl: `http://127.0.0.1:${port}/api` });
    const started = Date.now();
    await expect(stuck.list([{ clientId: 'buyer-bot', remoteId: 'buyer-bot', state: '' }])).rejects.toMatchObject({
      reason: 'unreachable',
      message: expect.stringMatching(/could not list clients: .*timeout/),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  } finally {
    silent.close();
  }
});
