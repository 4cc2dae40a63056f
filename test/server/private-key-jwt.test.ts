/**
 * Secretless clients (RFC 7523 private_key_jwt) against the REAL server, with
 * `jose` as the client: a client declared with public keys gets no secret,
 * authenticates with an assertion signed by its private key, and its tokens
 * verify and introspect like any other.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPluginIdentity } from '../../lib/provider/plugin/tls';
import { ASSERTION_MAX_SECONDS } from '../../lib/server/oauth/client-assertion';
import { apiError } from '../support/api-error';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { privateKeyJwtToken, verifyWithJose } from '../support/jose';

const AUDIENCE = 'urn:procurement-scopes:api';
let server: EmbeddedServer;
let dir: string;
let keyFile: string;
let otherKeyFile: string;
let publicJwk: Record<string, unknown>;
let jwksServer: Server;
let jwksUrl: string;
let uriKeyFile: string;
let jwksConnections = 0;
let jwksRequests = 0;

function newKey(kid: string, name = kid): { file: string; publicJwk: Record<string, unknown> } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' }));
  return { file, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

const bind = (clientId: string) =>
  server.admin.put('role-bindings', { name: `readers-${clientId}`, role: 'reader', subjects: [{ clientId }] } as never, `readers-${clientId}`);
const tokenEndpoint = () => `${server.url}/token`;
const keyClient = (fields: object) => ({ clientId: 'supplier-bot', displayName: 'Supplier bot', owner: 'team', ...fields }) as never;
/** The starting point of the tests about supplier-bot, whatever ran before (random order): declared with its public key, and bound. */
async function keyedSupplierBot(): Promise<void> {
  await server.admin.put('clients', keyClient({ jwks: { keys: [publicJwk] } }), 'supplier-bot');
  await bind('supplier-bot');
}

async function basicToken(clientId: string, secret: string) {
  const res = await fetch(tokenEndpoint(), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'catalog.read' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'private-key-jwt-'));
  ({ file: keyFile, publicJwk } = newKey('bot-1'));
  otherKeyFile = newKey('bot-1', 'impostor').file; // same kid, another key: a stolen kid is worth nothing
  // A JWKS URI over real TLS (the server trusts this test's self-signed certificate through NODE_EXTRA_CA_CERTS).
  const identity = createPluginIdentity();
  writeFileSync(join(dir, 'ca.pem'), identity.certificatePem);
  const uriKey = newKey('uri-1');
  uriKeyFile = uriKey.file;
  jwksServer = createServer({ cert: identity.certificatePem, key: identity.privateKeyPem }, (_req, res) => {
    jwksRequests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [uriKey.publicJwk] }));
  });
  jwksServer.on('connection', () => jwksConnections++);
  await new Promise<void>(resolve => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `https://localhost:${(jwksServer.address() as AddressInfo).port}/jwks.json`;

  server = await startServer({ env: { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') } });
  await server.admin.put('scopes', { name: 'catalog.read', description: 'Read the catalog', risk: 'low', external: true } as never, 'catalog.read');
  await server.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
});
afterAll(async () => {
  await server?.stop();
  await new Promise(resolve => jwksServer?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test('a client declared with a public JWKS gets no secret; jose signs its assertion and the token it gets verifies and introspects', async () => {
  await server.admin.delete('role-bindings', 'readers-supplier-bot');
  await server.admin.delete('clients', 'supplier-bot');
  const created = await server.admin.put('clients', keyClient({ jwks: { keys: [publicJwk] } }), 'supplier-bot');
  expect(created.created).toBe(true);
  expect(created.clientSecret).toBeUndefined();
  expect(created.value.jwks).toEqual({ keys: [publicJwk] });
  await bind('supplier-bot');

  const answer = await privateKeyJwtToken(tokenEndpoint(), server.url, 'supplier-bot', keyFile, 'catalog.read');
  expect(answer).toMatchObject({ status: 200, body: { scope: 'catalog.read', token_type: 'Bearer' } });
  const jwt = answer.body.access_token as string;
  expect(JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())).toMatchObject({ client_id: 'supplier-bot', scope: 'catalog.read' });
  expect(await verifyWithJose(`${server.url}/jwks`, server.url, AUDIENCE, [jwt])).toEqual([expect.objectContaining({ ok: true })]);
  const introspected = await fetch(`${server.url}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: jwt }),
  });
  expect(await introspected.json()).toMatchObject({ active: true, client_id: 'supplier-bot' });
  // The token endpoint's audience works as the assertion's aud too (RFC 7523 §3).
  expect((await privateKeyJwtToken(tokenEndpoint(), tokenEndpoint(), 'supplier-bot', keyFile, 'catalog.read')).status).toBe(200);
});

test('fails when the assertion is signed by another key, names another audience, or lives longer than the limit', async () => {
  await keyedSupplierBot();
  const forged = await privateKeyJwtToken(tokenEndpoint(), server.url, 'supplier-bot', otherKeyFile, 'catalog.read');
  expect(forged).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  const elsewhere = await privateKeyJwtToken(tokenEndpoint(), 'https://other.example.com', 'supplier-bot', keyFile, 'catalog.read');
  expect(elsewhere).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  const longLived = await privateKeyJwtToken(tokenEndpoint(), server.url, 'supplier-bot', keyFile, 'catalog.read', ASSERTION_MAX_SECONDS + 60);
  expect(longLived).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  const atLimit = await privateKeyJwtToken(tokenEndpoint(), server.url, 'supplier-bot', keyFile, 'catalog.read', ASSERTION_MAX_SECONDS - 5);
  expect(atLimit.status).toBe(200);
});

test('fails to rotate the secret of a client with keys, saying how its credentials rotate instead', async () => {
  await keyedSupplierBot();
  const refused = await apiError(server.admin.rotateSecret('supplier-bot'));
  expect(refused.status).toBe(409);
  expect(refused.message).toBe(
    "client 'supplier-bot' authenticates with private_key_jwt (its jwks) and has no secret to rotate: rotate its keys instead, by changing its jwks (or the keys its jwksUri serves)",
  );
});

test('a client with a JWKS URI: the server goes to fetch its keys there, but never from a loopback or private address (SSRF)', async () => {
  // oidc-provider refuses to fetch from special-use addresses, and every address of this machine is one: the JWKS
  // server sees the connection, which is cut before any request, and the client is refused.
  const created = await server.admin.put('clients', { clientId: 'uri-bot', displayName: 'URI bot', owner: 'team', jwksUri: jwksUrl } as never, 'uri-bot');
  expect(created.clientSecret).toBeUndefined();
  await bind('uri-bot');
  const answer = await privateKeyJwtToken(tokenEndpoint(), server.url, 'uri-bot', uriKeyFile, 'catalog.read');
  expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  expect(jwksConnections).toBeGreaterThan(0);
  expect(jwksRequests).toBe(0);
});

test('switching a client between keys and a secret: dropping its keys issues a secret once; adding keys deletes the secret', async () => {
  await keyedSupplierBot();
  const toSecret = await server.admin.put('clients', keyClient({}), 'supplier-bot');
  expect(toSecret.created).toBe(false);
  expect(toSecret.clientSecret).toEqual(expect.any(String));
  expect((await basicToken('supplier-bot', toSecret.clientSecret!)).status).toBe(200);
  expect((await privateKeyJwtToken(tokenEndpoint(), server.url, 'supplier-bot', keyFile, 'catalog.read')).status).toBe(401);
  // The same object again: idempotent, no new secret.
  expect((await server.admin.put('clients', keyClient({}), 'supplier-bot')).clientSecret).toBeUndefined();

  const toKeys = await server.admin.put('clients', keyClient({ jwks: { keys: [publicJwk] } }), 'supplier-bot');
  expect(toKeys.clientSecret).toBeUndefined();
  expect((await basicToken('supplier-bot', toSecret.clientSecret!)).body.error).toBe('invalid_client');
  expect((await privateKeyJwtToken(tokenEndpoint(), server.url, 'supplier-bot', keyFile, 'catalog.read')).status).toBe(200);
});

test('fails when the admin API is sent a private key, naming the member and never echoing it', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string };
  const refused = await apiError(server.admin.put('clients', keyClient({ clientId: 'leaky', jwks: { keys: [jwk] } }), 'leaky'));
  expect(refused.status).toBe(400);
  expect(refused.message).toContain('jwks.keys[0].d: is a private key member');
  expect(JSON.stringify(refused)).not.toContain(jwk.d);
  expect(server.stderr()).not.toContain(jwk.d);
  expect(await server.admin.get('clients', 'leaky')).toBeNull();
});
