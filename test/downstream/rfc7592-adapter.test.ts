/**
 * The rfc7592 adapter against a real, unmodified node-oidc-provider in its own process: what it creates, reads
 * back, narrows, disables and deletes is what the server really does, read from real tokens.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rfc7592Adapter } from '../../lib/server/downstream/rfc7592';
import { DownstreamAdapter } from '../../lib/server/downstream/adapter';
import { Rfc7592Downstream, requestToken, startRfc7592Downstream } from '../support/rfc7592-downstream';

const SCOPES = ['catalog.read', 'po.create', 'payment.approve'];
let downstream: Rfc7592Downstream;
let adapter: DownstreamAdapter;
let tokenEndpoint: string;

beforeAll(async () => {
  downstream = await startRfc7592Downstream(SCOPES);
  adapter = new Rfc7592Adapter(downstream.config);
  tokenEndpoint = await adapter.tokenEndpoint();
});
afterAll(() => downstream.stop());

test('create answers the server-assigned credentials, which get exactly the allowed scopes', async () => {
  const { owned, credentials } = await adapter.create('buyer-bot', ['catalog.read'], 'our-candidate-secret');
  expect(credentials.clientId).not.toBe('buyer-bot');
  expect(credentials.clientSecret).not.toBe('our-candidate-secret');
  expect(owned).toMatchObject({ clientId: 'buyer-bot', remoteId: credentials.clientId });
  expect(owned.state).not.toContain(credentials.clientSecret);

  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'po.create')).toMatchObject({ status: 400, error: 'invalid_scope' });
  expect(await adapter.list([owned])).toEqual([{ clientId: 'buyer-bot', remoteId: credentials.clientId, enabled: true, scopes: ['catalog.read'] }]);
});

test('setScopes replaces the allowed set and keeps the credentials; an empty set disables, never widens', async () => {
  const { owned, credentials } = await adapter.create('approver-bot', ['catalog.read'], 'x');
  const changed = await adapter.setScopes(owned, ['payment.approve', 'po.create']);
  expect(changed.state).toBe(owned.state);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'po.create payment.approve')).toMatchObject({
    status: 200,
    scopes: ['payment.approve', 'po.create'],
  });
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 400, error: 'invalid_scope' });

  await adapter.setScopes(owned, []);
  expect(await adapter.list([owned])).toEqual([{ clientId: 'approver-bot', remoteId: credentials.clientId, enabled: false, scopes: [] }]);
  // Without a scope parameter (which would get every scope of a client without `scope` metadata): no token at all.
  const refused = await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret);
  expect(refused.scopes).toBeNull();
  expect(refused.status).toBe(400);

  await adapter.setScopes(owned, ['catalog.read']);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
});

test('a client created with nothing allowed gets no token', async () => {
  const { credentials, owned } = await adapter.create('idle-bot', [], 'x');
  expect((await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret)).scopes).toBeNull();
  expect((await adapter.list([owned]))[0]).toMatchObject({ enabled: false, scopes: [] });
});

test('delete removes the client: it is no longer listed and its credentials fail; deleting again is no error', async () => {
  const { owned, credentials } = await adapter.create('gone-bot', ['catalog.read'], 'x');
  await adapter.delete(owned);
  expect(await adapter.list([owned])).toEqual([]);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'catalog.read')).toMatchObject({ status: 401, error: 'invalid_client' });
  await expect(adapter.delete(owned)).resolves.toBeUndefined();
});

test('a stopped server is a DownstreamError naming the server; after a restart on its data everything is still there', async () => {
  const { owned, credentials } = await adapter.create('durable-bot', ['po.create'], 'x');
  await downstream.terminate();
  await expect(adapter.list([owned])).rejects.toMatchObject({ name: 'DownstreamError', reason: 'unreachable', message: expect.stringContaining(downstream.issuer) });
  await downstream.start();
  expect(await adapter.list([owned])).toEqual([{ clientId: 'durable-bot', remoteId: credentials.clientId, enabled: true, scopes: ['po.create'] }]);
  expect(await requestToken(tokenEndpoint, credentials.clientId, credentials.clientSecret, 'po.create')).toMatchObject({ status: 200, scopes: ['po.create'] });
});

test('a wrong initial access token is refused with the server and the step named, and no secret in the message', async () => {
  const file = join(downstream.dir, 'wrong-token');
  writeFileSync(file, 'not-the-token');
  const wrong: DownstreamAdapter = new Rfc7592Adapter({ ...downstream.config, initialAccessTokenFile: file });
  const refusal = await wrong.create('x-bot', ['catalog.read'], 'x').catch((e: Error) => e);
  expect(refusal).toMatchObject({ name: 'DownstreamError', reason: 'refused' });
  expect((refusal as Error).message).toMatch(/register client 'x-bot' answered 401 \(invalid_token/);
  expect((refusal as Error).message).not.toContain('not-the-token');
});
