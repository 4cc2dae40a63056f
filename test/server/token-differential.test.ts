/**
 * The token endpoint against its reference: every case is sent to our REAL
 * server and to a bare node-oidc-provider (bench/bare-oidc-server.ts, used
 * through its public API only) configured with the same clients (the same
 * secret, the same public keys) and the same scopes each client may get,
 * and both must answer alike: the same status and `error`, and for a token
 * the same response fields and the same JWT header and claims (values that
 * differ by nature, `jti`, `iat`, `exp`, `iss`, are compared by shape:
 * `exp - iat` is the same lifetime). Error descriptions are not compared:
 * ours say what is wrong and what to do, oidc-provider's stay generic.
 *
 * Where this server deliberately answers otherwise, the case says so and
 * asserts both answers (DIVERGENCES), so that neither side drifts unseen.
 */
import { createPrivateKey, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { join, resolve } from 'node:path';
import { spawn, ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { ReferenceConfig } from '../../bench/bare-oidc-server';
import { GENERATION_CLAIM } from '../../lib/server/oauth/credential-generation';
import { ASSERTION_MAX_SECONDS } from '../../lib/server/oauth/client-assertion';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';

const REFERENCE = join(resolve(__dirname, '../..'), 'dist/bench/bare-oidc-server.js');
const AUDIENCE = 'urn:procurement-scopes:api';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const LIFETIME = 600;

/** One side: where its token endpoint is and what a client assertion's aud may be. */
interface Side {
  name: 'ours' | 'reference';
  issuer: string;
  tokenEndpoint: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A request built for one side (assertions are signed per side: their jti is single-use, their aud the side's). */
type Case = (side: Side) => { headers?: Record<string, string>; body?: string; method?: string };

let server: EmbeddedServer;
let reference: ChildProcess;
let sides: Side[];
let secret: string;
let payerSecret: string;
let botKey: KeyObject;
let otherKey: KeyObject;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;
const erp = () => ({ ...FORM, authorization: basic('erp', secret) });
const form = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/** An ES256 client assertion signed with node:crypto (the client side is deliberately not jose, the library under test). */
function assertion(side: Side, claims: Record<string, unknown> = {}, key = botKey): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: 'supplier-bot', sub: 'supplier-bot', aud: side.issuer, jti: randomUUID(), iat: now, exp: now + 60, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete (payload as Record<string, unknown>)[name];
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'ES256', kid: 'bot-1' })}.${part(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const withAssertion = (jwt: string, scope = 'catalog.read'): ReturnType<Case> => ({
  headers: FORM,
  body: form([
    ['grant_type', 'client_credentials'],
    ['scope', scope],
    ['client_assertion_type', ASSERTION_TYPE],
    ['client_assertion', jwt],
  ]),
});

async function send(side: Side, build: Case): Promise<Answer> {
  const { method = 'POST', headers = {}, body } = build(side);
  const res = await fetch(side.tokenEndpoint, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { unparsed: text.slice(0, 200) };
  }
  return { status: res.status, body: parsed };
}

/** A scope string as the set it means: oidc-provider keeps the order asked for, we answer them sorted. */
const scopeSet = (scope: unknown) => (typeof scope === 'string' ? scope.split(' ').sort() : scope);

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** What must be equal between the two sides' answers. */
function comparable(answer: Answer): Record<string, unknown> {
  if (answer.status !== 200) return { status: answer.status, error: answer.body.error, token: answer.body.access_token };
  const [header, payload] = String(answer.body.access_token).split('.').slice(0, 2).map(decode);
  const { [GENERATION_CLAIM]: _ours, jti, iat, exp, iss, scope, ...claims } = payload;
  return {
    status: 200,
    response: { token_type: answer.body.token_type, expires_in: answer.body.expires_in, scope: scopeSet(answer.body.scope) },
    header: { alg: header.alg, typ: header.typ, kid: typeof header.kid },
    claims: { ...claims, scope: scopeSet(scope), jti: typeof jti, iss: typeof iss, lifetime: Number(exp) - Number(iat) },
  };
}

async function both(build: Case): Promise<{ ours: Answer; reference: Answer }> {
  const [ours, ref] = await Promise.all(sides.map(side => send(side, build)));
  return { ours, reference: ref };
}

/** Sends `build` to both sides and asserts they answer alike; returns our answer. */
async function alike(build: Case): Promise<Answer> {
  const { ours, reference } = await both(build);
  expect({ ours: comparable(ours) }).toEqual({ ours: comparable(reference) });
  return ours;
}

beforeAll(async () => {
  // The suite compares answers, not limits: a run's many refused requests from one source would otherwise meet our
  // per-source failure limit (429) on a fast machine, which the bare oidc-provider has no counterpart for.
  server = await startServer({ args: ['--client-rate-limit', 'off', '--failure-rate-limit', 'off'] });
  const { admin } = server;
  for (const name of ['catalog.read', 'ticket.write', 'payment.approve']) {
    await admin.put('scopes', { name, description: `Can ${name}`, risk: 'low', external: false, implies: [] }, name);
  }
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read', 'ticket.write'] }, 'reader');
  await admin.put('roles', { name: 'payer', description: 'Pays', scopes: ['payment.approve'] }, 'payer');
  const client = (clientId: string, fields: object = {}) =>
    admin.put('clients', { clientId, displayName: clientId, owner: 'team', tokenLifetimeSeconds: LIFETIME, ...fields } as never, clientId);
  secret = (await client('erp')).clientSecret!;
  payerSecret = (await client('payer')).clientSecret!;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  botKey = privateKey;
  otherKey = createPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'bot-1', alg: 'ES256', use: 'sig' }] };
  await client('supplier-bot', { jwks });
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  await admin.put('role-bindings', { name: 'bots', role: 'reader', subjects: [{ clientId: 'supplier-bot' }] } as never, 'bots');
  await admin.put('role-bindings', { name: 'payers', role: 'payer', subjects: [{ clientId: 'payer' }] } as never, 'payers');

  const config: ReferenceConfig = {
    audience: AUDIENCE,
    clients: [
      { client_id: 'erp', client_secret: secret, scope: 'catalog.read ticket.write' },
      { client_id: 'payer', client_secret: payerSecret, scope: 'payment.approve' },
      { client_id: 'supplier-bot', jwks, scope: 'catalog.read ticket.write' },
    ],
    accessTokenTTL: LIFETIME,
    assertionMaxSeconds: ASSERTION_MAX_SECONDS,
  };
  reference = spawn(process.execPath, [REFERENCE, JSON.stringify(config)], { env: testEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  reference.stdout!.on('data', chunk => (stdout += chunk));
  while (!/listening on (\S+)/.test(stdout)) {
    if (reference.exitCode !== null) throw new Error(`the reference oidc-provider exited with ${reference.exitCode}`);
    await once(reference.stdout!, 'data');
  }
  const url = /listening on (\S+)/.exec(stdout)![1];
  sides = [
    { name: 'ours', issuer: server.url, tokenEndpoint: `${server.url}/token` },
    { name: 'reference', issuer: url, tokenEndpoint: `${url}/token` },
  ];
});

afterAll(async () => {
  if (reference && reference.exitCode === null) {
    reference.kill('SIGTERM');
    await once(reference, 'exit');
  }
  await server?.stop();
});

const grant = (scope = 'catalog.read') => form([['grant_type', 'client_credentials'], ['scope', scope]]);

describe('answered alike', () => {
  test.each<[string, Case, number]>([
    ['client_secret_basic', () => ({ headers: erp(), body: grant() }), 200],
    ['client_secret_basic, two scopes', () => ({ headers: erp(), body: grant('ticket.write catalog.read') }), 200],
    ['client_secret_basic, a url-encoded space separator', () => ({ headers: erp(), body: 'grant_type=client_credentials&scope=catalog.read+ticket.write' }), 200],
    ['client_secret_post', () => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['scope', 'catalog.read'], ['client_id', 'erp'], ['client_secret', secret]]) }), 200],
    ['form content type with a charset', () => ({ headers: { ...erp(), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: grant() }), 200],
    ['an unknown parameter, ignored', () => ({ headers: erp(), body: `${grant()}&foo=bar` }), 200],
    ['the one audience as resource', () => ({ headers: erp(), body: `${grant()}&resource=${encodeURIComponent(AUDIENCE)}` }), 200],
    ['private_key_jwt, aud the issuer', side => withAssertion(assertion(side)), 200],
    ['private_key_jwt, aud the token endpoint', side => withAssertion(assertion(side, { aud: side.tokenEndpoint })), 200],
    ['private_key_jwt, aud a list holding the issuer', side => withAssertion(assertion(side, { aud: ['https://other.example', side.issuer] })), 200],
    ['private_key_jwt with a matching client_id', side => ({ headers: FORM, body: `${withAssertion(assertion(side)).body}&client_id=supplier-bot` }), 200],
  ])('issues for %s', async (_name, build, status) => {
    const answer = await alike(build);
    expect(answer.status).toBe(status);
  });

  test.each<[string, Case, number, string]>([
    ['a wrong secret (basic)', () => ({ headers: { ...FORM, authorization: basic('erp', 'wrong') }, body: grant() }), 401, 'invalid_client'],
    ['a wrong secret (post)', () => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['client_id', 'erp'], ['client_secret', 'wrong']]) }), 401, 'invalid_client'],
    ['an unknown client', () => ({ headers: { ...FORM, authorization: basic('nobody', 'x') }, body: grant() }), 401, 'invalid_client'],
    ['a client id without a secret', () => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['client_id', 'erp']]) }), 401, 'invalid_client'],
    ['a secret for a client with keys', () => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['client_id', 'supplier-bot'], ['client_secret', 'x']]) }), 401, 'invalid_client'],
    ['no authentication at all', () => ({ headers: FORM, body: grant() }), 400, 'invalid_request'],
    ['a client_secret without client_id', () => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['client_secret', secret]]) }), 400, 'invalid_request'],
    ['Basic and client_secret both', () => ({ headers: erp(), body: form([['grant_type', 'client_credentials'], ['client_id', 'erp'], ['client_secret', secret]]) }), 400, 'invalid_request'],
    ['a Bearer Authorization header', () => ({ headers: { ...FORM, authorization: 'Bearer abc' }, body: grant() }), 400, 'invalid_request'],
    ['Basic without a colon', () => ({ headers: { ...FORM, authorization: `Basic ${Buffer.from('erp').toString('base64')}` }, body: grant() }), 400, 'invalid_request'],
    ['Basic that is not base64', () => ({ headers: { ...FORM, authorization: 'Basic ***' }, body: grant() }), 400, 'invalid_request'],
    ['Basic with an empty secret', () => ({ headers: { ...FORM, authorization: basic('erp', '') }, body: grant() }), 400, 'invalid_request'],
    ['Basic with a bad percent-encoding', () => ({ headers: { ...FORM, authorization: basic('erp', '%zz') }, body: grant() }), 400, 'invalid_request'],
    ['a client_id other than the Basic one', () => ({ headers: erp(), body: `${grant()}&client_id=payer` }), 400, 'invalid_request'],
    ['client_id twice', () => ({ headers: FORM, body: `${grant()}&client_id=erp&client_id=erp&client_secret=${secret}` }), 400, 'invalid_request'],
    ['a missing grant_type', () => ({ headers: erp(), body: 'scope=catalog.read' }), 400, 'invalid_request'],
    ['an empty grant_type', () => ({ headers: erp(), body: 'grant_type=&scope=catalog.read' }), 400, 'invalid_request'],
    ['grant_type twice', () => ({ headers: erp(), body: `${grant()}&grant_type=client_credentials` }), 400, 'invalid_request'],
    ['scope twice', () => ({ headers: erp(), body: `${grant()}&scope=catalog.read` }), 400, 'invalid_request'],
    ['the authorization-code grant', () => ({ headers: erp(), body: 'grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fa.example%2Fcb' }), 400, 'unsupported_grant_type'],
    ['the refresh-token grant', () => ({ headers: erp(), body: 'grant_type=refresh_token&refresh_token=x' }), 400, 'unsupported_grant_type'],
    ['the password grant', () => ({ headers: erp(), body: 'grant_type=password&username=a&password=b' }), 400, 'unsupported_grant_type'],
    ['an invented grant', () => ({ headers: erp(), body: 'grant_type=urn%3Aexample%3Agrant' }), 400, 'unsupported_grant_type'],
    ['a wrong secret and a wrong grant: authentication first', () => ({ headers: { ...FORM, authorization: basic('erp', 'wrong') }, body: 'grant_type=password' }), 401, 'invalid_client'],
    ['an unknown scope', () => ({ headers: erp(), body: grant('no.such.scope') }), 400, 'invalid_scope'],
    ['a scope not granted to the client', () => ({ headers: erp(), body: grant('payment.approve') }), 400, 'invalid_scope'],
    ['a granted and an ungranted scope', () => ({ headers: erp(), body: grant('catalog.read payment.approve') }), 400, 'invalid_scope'],
    ['openid', () => ({ headers: erp(), body: grant('openid') }), 400, 'invalid_scope'],
    ['a scope with invalid characters', () => ({ headers: erp(), body: grant('catalog.read "x"') }), 400, 'invalid_scope'],
    ['a scope with a double space', () => ({ headers: erp(), body: grant('catalog.read  ticket.write') }), 400, 'invalid_scope'],
    ['another resource', () => ({ headers: erp(), body: `${grant()}&resource=${encodeURIComponent('https://other.example/api')}` }), 400, 'invalid_target'],
    ['a JSON body', () => ({ headers: { ...erp(), 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' }), 400, 'invalid_request'],
    ['a text body', () => ({ headers: { ...erp(), 'content-type': 'text/plain' }, body: grant() }), 400, 'invalid_request'],
    ['a multipart content type', () => ({ headers: { ...erp(), 'content-type': 'multipart/form-data; boundary=x' }, body: grant() }), 400, 'invalid_request'],
    ['no content type: no parameters', () => ({ headers: { authorization: basic('erp', secret) }, body: undefined }), 400, 'invalid_request'],
    ['private_key_jwt signed by another key', side => withAssertion(assertion(side, {}, otherKey)), 401, 'invalid_client'],
    ['private_key_jwt for another audience', side => withAssertion(assertion(side, { aud: 'https://other.example' })), 401, 'invalid_client'],
    ['private_key_jwt without aud', side => withAssertion(assertion(side, { aud: undefined })), 401, 'invalid_client'],
    ['private_key_jwt with iss other than sub', side => withAssertion(assertion(side, { iss: 'erp' })), 401, 'invalid_client'],
    ['private_key_jwt without iss', side => withAssertion(assertion(side, { iss: undefined })), 401, 'invalid_client'],
    ['private_key_jwt without sub', side => withAssertion(assertion(side, { sub: undefined })), 401, 'invalid_client'],
    ['private_key_jwt for an unknown client', side => withAssertion(assertion(side, { iss: 'nobody', sub: 'nobody' })), 401, 'invalid_client'],
    ['private_key_jwt for a client with a secret', side => withAssertion(assertion(side, { iss: 'erp', sub: 'erp' })), 401, 'invalid_client'],
    ['private_key_jwt without exp', side => withAssertion(assertion(side, { exp: undefined })), 401, 'invalid_client'],
    ['private_key_jwt expired', side => withAssertion(assertion(side, { exp: Math.floor(Date.now() / 1000) - 120 })), 401, 'invalid_client'],
    ['private_key_jwt living past the limit', side => withAssertion(assertion(side, { exp: Math.floor(Date.now() / 1000) + ASSERTION_MAX_SECONDS + 60 })), 401, 'invalid_client'],
    ['private_key_jwt without jti', side => withAssertion(assertion(side, { jti: undefined })), 401, 'invalid_client'],
    ['private_key_jwt not yet valid', side => withAssertion(assertion(side, { nbf: Math.floor(Date.now() / 1000) + 120 })), 401, 'invalid_client'],
    ['a client_assertion that is not a JWT', () => withAssertion('not-a-jwt'), 400, 'invalid_request'],
    ['a client_assertion without its type', side => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['client_assertion', assertion(side)]]) }), 400, 'invalid_request'],
    ['a client_assertion of another type', side => ({ headers: FORM, body: form([['grant_type', 'client_credentials'], ['client_assertion_type', 'urn:x'], ['client_assertion', assertion(side)]]) }), 400, 'invalid_request'],
    ['a client_assertion and Basic both', side => ({ headers: { ...withAssertion(assertion(side)).headers, authorization: basic('erp', secret) }, body: withAssertion(assertion(side)).body }), 400, 'invalid_request'],
    ['a client_assertion whose sub differs from client_id', side => ({ headers: FORM, body: `${withAssertion(assertion(side)).body}&client_id=erp` }), 400, 'invalid_request'],
    ['client_assertion twice', side => ({ headers: FORM, body: `${withAssertion(assertion(side)).body}&client_assertion=${assertion(side)}` }), 400, 'invalid_request'],
  ])('refuses %s', async (_name, build, status, error) => {
    const answer = await alike(build);
    expect({ status: answer.status, error: answer.body.error }).toEqual({ status, error });
    expect(typeof answer.body.error_description).toBe('string');
  });

  test('refuses a client assertion sent a second time (single-use jti), on both', async () => {
    const first = sides.map(side => assertion(side));
    const once = await Promise.all(sides.map((side, i) => send(side, () => withAssertion(first[i]))));
    expect(once.map(a => a.status)).toEqual([200, 200]);
    const again = await Promise.all(sides.map((side, i) => send(side, () => withAssertion(first[i]))));
    expect(again.map(comparable)).toEqual([comparable(again[1]), { status: 401, error: 'invalid_client', token: undefined }]);
  });

  test('a 401 to a client that tried Basic carries a Basic challenge, on both', async () => {
    const answers = await Promise.all(
      sides.map(side => fetch(side.tokenEndpoint, { method: 'POST', headers: { ...FORM, authorization: basic('erp', 'wrong') }, body: grant() })),
    );
    expect(answers.map(res => /^Basic realm=/.test(res.headers.get('www-authenticate') ?? ''))).toEqual([true, true]);
    expect(answers.map(res => res.headers.get('cache-control'))).toEqual(['no-store', 'no-store']);
  });
});

/**
 * Where this server answers otherwise on purpose. Each asserts both answers, so a change on either side is seen.
 */
describe('DIVERGENCES', () => {
  test('no scope asked: we grant every scope the client holds (RFC 6749 section 3.3 lets the server choose); oidc-provider grants none', async () => {
    const { ours, reference } = await both(() => ({ headers: erp(), body: 'grant_type=client_credentials' }));
    expect(ours).toMatchObject({ status: 200, body: { scope: 'catalog.read ticket.write' } });
    expect(reference.status).toBe(200);
    expect(reference.body.scope).toBeUndefined();
  });

  test('a DPoP proof: we refuse any, as DPoP is not offered (invalid_request); oidc-provider checks it (invalid_dpop_proof) and would bind its token', async () => {
    const { ours, reference } = await both(() => ({ headers: { ...erp(), dpop: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' }, body: grant() }));
    expect(comparable(ours)).toEqual({ status: 400, error: 'invalid_request', token: undefined });
    expect(comparable(reference)).toEqual({ status: 400, error: 'invalid_dpop_proof', token: undefined });
  });

  test('a body over our limit (16 KiB by default): 413 body_too_large from us; oidc-provider reads up to 56 KiB, then refuses with 400', async () => {
    const padding = (bytes: number) => `${grant()}&padding=${'a'.repeat(bytes)}`;
    const over = await both(() => ({ headers: erp(), body: padding(20 * 1024) }));
    expect(comparable(over.ours)).toEqual({ status: 413, error: 'body_too_large', token: undefined });
    expect(over.reference.status).toBe(200);
    const farOver = await both(() => ({ headers: erp(), body: padding(60 * 1024) }));
    expect(comparable(farOver.ours)).toEqual({ status: 413, error: 'body_too_large', token: undefined });
    expect(comparable(farOver.reference)).toEqual({ status: 400, error: 'invalid_request', token: undefined });
  });

  test('GET /token: 405 with Allow: POST from us; 404 from oidc-provider', async () => {
    const { ours, reference } = await both(() => ({ method: 'GET' }));
    expect(comparable(ours)).toEqual({ status: 405, error: 'invalid_request', token: undefined });
    expect(reference.status).toBe(404);
  });
});
