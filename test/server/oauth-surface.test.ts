/**
 * What the OAuth side serves: the client-credentials grant, the JWKS, the
 * RFC 8414 metadata and introspection, nothing else (no authorization
 * endpoint, userinfo, logout, PAR, refresh tokens, OpenID, DPoP); access
 * tokens shaped as RFC 9068 says; every OAuth error with `error` and
 * `error_description`.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;
let secret: string;

const AUDIENCE = 'urn:procurement-scopes:api';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function tokenRequest(form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Answer> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries({ grant_type: 'client_credentials', ...form })) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
  }
  return call('/token', {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`erp:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** An OAuth error answer (RFC 6749 section 5.2): `error` and a non-empty `error_description`, nothing worded otherwise. */
function expectOAuthError(answer: Answer, status: number, error: string): string {
  expect({ status: answer.status, error: answer.body.error, message: answer.body.message }).toEqual({ status, error, message: undefined });
  expect(typeof answer.body.error_description).toBe('string');
  expect(answer.body.access_token).toBeUndefined();
  return answer.body.error_description as string;
}

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read the catalog', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  secret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team', tokenLifetimeSeconds: 600 } as never, 'erp')).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
});
afterAll(() => server.stop());

describe('served endpoints', () => {
  test('the metadata advertises only the endpoints, grant and authentication methods that answer', async () => {
    const { body } = await call('/.well-known/oauth-authorization-server');
    const allowed = [
      'issuer',
      'token_endpoint',
      'jwks_uri',
      'introspection_endpoint',
      'grant_types_supported',
      'response_types_supported',
      'token_endpoint_auth_methods_supported',
      'token_endpoint_auth_signing_alg_values_supported',
    ];
    expect(Object.keys(body).filter(key => !allowed.includes(key))).toEqual([]);
    expect(body).toMatchObject({ grant_types_supported: ['client_credentials'], response_types_supported: [] });
    // Each advertised endpoint answers (an unauthenticated call is refused by the endpoint, not unknown).
    expect((await fetch(String(body.jwks_uri))).status).toBe(200);
    const anonymous = async (url: unknown, body: string) => {
      const res = await fetch(String(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    };
    expect(await anonymous(body.token_endpoint, 'grant_type=client_credentials')).toEqual({ status: 400, error: 'invalid_request' });
    expect(await anonymous(body.introspection_endpoint, 'token=x')).toEqual({ status: 401, error: 'invalid_client' });
  });

  test.each([
    ['GET', '/auth'],
    ['POST', '/auth'],
    ['GET', '/session/end'],
    ['POST', '/session/end'],
    ['GET', '/session/end/success'],
    ['GET', '/me'],
    ['POST', '/me'],
    ['POST', '/request'],
    ['POST', '/token/revocation'],
    ['POST', '/reg'],
    ['POST', '/device/auth'],
    ['GET', '/.well-known/openid-configuration'],
    ['GET', '/auth/some-interaction'],
  ])('fails with 404 for %s %s, which oidc-provider would serve', async (method, path) => {
    const answer = await call(path, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' } : {}) });
    expect(expectOAuthError(answer, 404, 'not_found')).toContain('this server serves /token, /jwks, /.well-known/oauth-authorization-server');
  });

  test('fails with unsupported_grant_type for the refresh-token and authorization-code grants', async () => {
    expectOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x' }), 400, 'unsupported_grant_type');
    expectOAuthError(await tokenRequest({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://a.example/cb' }), 400, 'unsupported_grant_type');
  });

  test('fails with invalid_scope for openid: there is no OpenID Connect here', async () => {
    expect(expectOAuthError(await tokenRequest({ scope: 'openid' }), 400, 'invalid_scope')).toContain('openid');
    expect(expectOAuthError(await tokenRequest({ scope: 'openid catalog.read' }), 400, 'invalid_scope')).toContain('openid');
  });

  test('fails with invalid_request for a DPoP proof instead of answering an unbound token', async () => {
    const refused = await tokenRequest({ scope: 'catalog.read' }, { dpop: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' });
    expect(expectOAuthError(refused, 400, 'invalid_request')).toContain('DPoP-bound tokens are not offered by this server');
  });

  test('fails with invalid_target for a resource other than the one audience; that audience is accepted', async () => {
    expect(expectOAuthError(await tokenRequest({ resource: 'https://other.example/api' }), 400, 'invalid_target')).toContain(AUDIENCE);
    expectOAuthError(await tokenRequest({ resource: [AUDIENCE, 'https://other.example/api'] }), 400, 'invalid_target');
    const granted = await tokenRequest({ resource: AUDIENCE, scope: 'catalog.read' });
    expect(granted.status).toBe(200);
    expect(decode(String(granted.body.access_token).split('.')[1]).aud).toBe(AUDIENCE);
  });
});

describe('RFC 9068 access tokens', () => {
  test('the token response is a Bearer token that is never cached; the JWT is typed at+jwt and carries every required claim', async () => {
    const answer = await tokenRequest({ scope: 'catalog.read' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'catalog.read' });
    const [header, payload] = String(answer.body.access_token).split('.').map((part, i) => (i < 2 ? decode(part) : part)) as Record<string, unknown>[];
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(typeof header.kid).toBe('string');
    expect(payload).toMatchObject({ iss: server.url, aud: AUDIENCE, sub: 'erp', client_id: 'erp', scope: 'catalog.read' });
    expect(typeof payload.jti).toBe('string');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(600);
  });
});

describe('OAuth errors', () => {
  test('every refusal of the OAuth endpoints carries error and error_description', async () => {
    expectOAuthError(await call('/token'), 405, 'invalid_request');
    expectOAuthError(await call('/jwks', { method: 'POST' }), 405, 'invalid_request');
    expectOAuthError(await tokenRequest({ scope: 'catalog.read' }, { authorization: 'Basic ZXJwOndyb25n' }), 401, 'invalid_client');
    expectOAuthError(await tokenRequest({ scope: 'po.create' }), 400, 'invalid_scope');
    const introspection = (init: RequestInit) => call('/token/introspection', { method: 'POST', ...init });
    expectOAuthError(await call('/token/introspection'), 405, 'invalid_request');
    expectOAuthError(await introspection({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' }), 401, 'invalid_client');
    expectOAuthError(await introspection({ headers: { 'content-type': 'application/json' }, body: '{}' }), 400, 'invalid_request');
    const noToken = await introspection({ headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(expectOAuthError(noToken, 400, 'invalid_request')).toContain("'token'");
  });

  test('the admin API keeps its own error shape (message)', async () => {
    const answer = await call('/admin/v1/scopes/catalog.read', { headers: { authorization: 'Bearer wrong-token-0123456789' } });
    expect(answer.status).toBe(401);
    expect(typeof answer.body.message).toBe('string');
  });
});
