/**
 * The token endpoint's fast path on its own, over loopback, with the real store, keys, secrets and group commit:
 * it answers only the everyday request (HTTP Basic, client_credentials, a granted scope) and hands every other
 * request on untouched, having written nothing.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyHolder } from '../../../lib/server/admission/server-policy';
import { readBody } from '../../../lib/server/http';
import { AccessTokens, AUDIENCE } from '../../../lib/server/oauth/access-tokens';
import { GrantDependencies } from '../../../lib/server/oauth/client-credentials-grant';
import { GrantBatcher } from '../../../lib/server/oauth/grant-batch';
import { TokenAudit } from '../../../lib/server/oauth/token-audit';
import { tokenFastPath } from '../../../lib/server/oauth/token-fast-path';
import { TokenReads } from '../../../lib/server/oauth/token-reads';
import { ClientSecrets } from '../../../lib/server/secrets';
import { SigningKeys } from '../../../lib/server/signing-keys';
import { SqliteStore } from '../../../lib/server/store/sqlite-store';

/** What the test server answers when the fast path hands a request on. */
const HANDED_ON = 418;
const ISSUER = 'https://auth.example.com';
const secret = 'a-server-made-secret_0123456789';

let dir: string;
let store: SqliteStore;
let grants: GrantBatcher;
let signingKeys: SigningKeys;
let server: Server;
let url: string;
let deps: GrantDependencies;
let secrets: ClientSecrets;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'token-fast-path-'));
  store = await SqliteStore.open(dir);
  const now = () => new Date();
  const holder = await PolicyHolder.open(store, 'dev');
  signingKeys = await SigningKeys.open(store, dir, now, () => {});
  secrets = await ClientSecrets.open(store);
  grants = new GrantBatcher(store);
  await store.put('scopes', 'catalog.read', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] });
  await store.put('scopes', 'catalog.write', { name: 'catalog.write', description: 'Write', risk: 'low', external: false, implies: [] });
  await store.put('roles', 'reader', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] });
  await store.put('clients', 'erp', { clientId: 'erp', displayName: 'ERP', owner: 'team', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 600, secretRotationDays: 90 });
  await store.put('role-bindings', 'readers', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] });
  await store.setSecretHash('erp', secrets.hash(secret));
  const refusal = (description: string) => new Error(description) as never;
  deps = {
    reads: new TokenReads(store, holder),
    tokens: new AccessTokens(ISSUER, signingKeys),
    now,
    audit: new TokenAudit(now, grants),
    invalidScope: refusal,
    unauthorizedClient: refusal,
    invalidTarget: refusal,
    invalidRequest: refusal,
  };
  const fastPath = tokenFastPath(deps, secrets);
  server = createServer((req, res) => {
    void readBody(req, 4096)
      .then(async body => {
        if (!(await fastPath(req, res, body))) res.writeHead(HANDED_ON).end('{}');
      })
      .catch((error: Error) => res.writeHead(500).end(JSON.stringify({ failed: error.message })));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(async () => {
  await new Promise(resolve => server.close(resolve));
  await grants.flush();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

/** A POST with the everyday headers, `headers` laid over them (null: left out). */
async function post(body: string, headers: Record<string, string | null> = {}) {
  const sent = Object.entries({ 'content-type': FORM, authorization: basic('erp', secret), ...headers }).filter((h): h is [string, string] => h[1] !== null);
  const res = await fetch(url, { method: 'POST', headers: Object.fromEntries(sent), body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { access_token?: string; scope?: string; expires_in?: number; token_type?: string } };
}

async function grantRows(): Promise<number> {
  return (await store.queryAudit({ action: 'token.grant', limit: 1000, maxBytes: 1 << 20 })).entries.length;
}

test('answers the everyday request with a token signed by the key in force, audited under its jti', async () => {
  const before = await grantRows();
  const { status, headers, body } = await post('grant_type=client_credentials&scope=catalog.read');
  expect(status).toBe(200);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(body).toMatchObject({ token_type: 'Bearer', scope: 'catalog.read', expires_in: 600 });
  const [head, payload, signature] = body.access_token!.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const key = signingKeys.inForce().signing;
  expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: key.kid });
  expect(claims).toMatchObject({ sub: 'erp', client_id: 'erp', scope: 'catalog.read', iss: ISSUER, aud: AUDIENCE });
  expect(claims.exp - claims.iat).toBe(600);
  const { d: _private, ...publicJwk } = key;
  const valid = verify('sha256', Buffer.from(`${head}.${payload}`), { key: createPublicKey({ key: publicJwk as never, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  expect(valid).toBe(true);
  // Answered only once its audit row was committed.
  const { entries } = await store.queryAudit({ action: 'token.grant', limit: 1000, maxBytes: 1 << 20 });
  expect(entries.length).toBe(before + 1);
  expect(entries.some(e => e.key === claims.jti && e.clientId === 'erp')).toBe(true);
});

test('with no scope asked, grants every effective scope, as oidc-provider\'s path does', async () => {
  const { status, body } = await post('grant_type=client_credentials');
  expect(status).toBe(200);
  expect(body.scope).toBe('catalog.read');
});

test.each([
  ['client_secret_post', `grant_type=client_credentials&client_id=erp&client_secret=${secret}`, { authorization: null }],
  ['a resource parameter', 'grant_type=client_credentials&scope=catalog.read&resource=urn%3Aother', {}],
  ['a repeated parameter', 'grant_type=client_credentials&scope=catalog.read&scope=catalog.read', {}],
  ['another grant type', 'grant_type=refresh_token&scope=catalog.read', {}],
  ['a scope of invalid characters', 'grant_type=client_credentials&scope=catalog%22read', {}],
  ['an empty scope', 'grant_type=client_credentials&scope=', {}],
  ['a browser\'s Origin', 'grant_type=client_credentials', { origin: 'https://app.example.com' }],
  ['a DPoP proof', 'grant_type=client_credentials', { dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.sig' }],
  ['a content type with a charset', 'grant_type=client_credentials', { 'content-type': `${FORM}; charset=utf-8` }],
  ['form-encoded credentials', 'grant_type=client_credentials', { authorization: basic('erp', `${secret}%21`) }],
  ['a wrong secret', 'grant_type=client_credentials', { authorization: basic('erp', 'not-the-secret') }],
  ['an unknown client', 'grant_type=client_credentials', { authorization: basic('nobody', secret) }],
  ['a scope not granted (a refusal: oidc-provider words it)', 'grant_type=client_credentials&scope=catalog.write', {}],
])('hands on, having written nothing: %s', async (_name, body, headers: Record<string, string | null>) => {
  const before = await grantRows();
  expect((await post(body, headers)).status).toBe(HANDED_ON);
  await grants.flush();
  expect(await grantRows()).toBe(before);
});

test('a token whose audit cannot be written is refused on this path, not handed on to be issued twice', async () => {
  const failing = new GrantBatcher({ commitGrants: async () => Promise.reject(new Error('disk I/O error')) });
  const fastPath = tokenFastPath({ ...deps, audit: new TokenAudit(() => new Date(), failing) }, secrets);
  const answering = fastPath(
    Object.assign(Object.create(null), { headers: { 'content-type': FORM, authorization: basic('erp', secret) } }),
    { writeHead: () => { throw new Error('answered'); } } as never,
    Buffer.from('grant_type=client_credentials'),
  );
  await expect(answering).rejects.toThrow('disk I/O error');
});
