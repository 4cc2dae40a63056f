/** Bad input gets a 4xx JSON error naming the problem: never a 5xx, never a partial write. */
import { AdminClient } from '../../lib/client/admin-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { errorLines } from '../support/log-lines';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await startServer();
  await server.admin.put('scopes', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await server.admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp');
});
afterAll(() => server.stop());

const scope = { name: 'po.create', description: 'Create POs', risk: 'high' };
const json = (body: unknown) => JSON.stringify(body);

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string | null>;
  status: number;
  error: string;
  field?: string;
  message: string;
}

const CASES: Case[] = [
  { name: 'no admin token', path: 'scopes', headers: { authorization: null }, status: 401, error: 'unauthorized', message: 'Authorization: Bearer' },
  { name: 'a wrong admin token', path: 'scopes', headers: { authorization: 'Bearer wrong-token-000000000' }, status: 401, error: 'unauthorized', message: 'admin token is unknown or revoked' },
  { name: 'malformed JSON', method: 'PUT', path: 'scopes/po.create', body: '{"name": "po.create",', status: 400, error: 'invalid_json', message: 'not valid JSON' },
  { name: 'a JSON array', method: 'PUT', path: 'scopes/po.create', body: '[]', status: 400, error: 'invalid_request', message: 'must be a JSON object, got an array' },
  { name: 'no JSON content type', method: 'PUT', path: 'scopes/po.create', body: json(scope), headers: { 'content-type': 'text/plain' }, status: 415, error: 'unsupported_media_type', message: "got 'text/plain'" },
  { name: 'an unknown field', method: 'PUT', path: 'scopes/po.create', body: json({ ...scope, colour: 'red' }), status: 400, error: 'invalid_request', field: 'colour', message: 'is not a known field' },
  { name: 'a wrong type', method: 'PUT', path: 'scopes/po.create', body: json({ ...scope, external: 'yes' }), status: 400, error: 'invalid_request', field: 'external', message: "must be boolean, got 'yes'" },
  { name: 'a value outside the allowed set', method: 'PUT', path: 'scopes/po.create', body: json({ ...scope, risk: 'severe' }), status: 400, error: 'invalid_request', field: 'risk', message: 'must be one of low, medium, high, critical' },
  { name: 'a bad scope name', method: 'PUT', path: 'scopes/Read%20Users', body: json({ ...scope, name: 'Read Users' }), status: 400, error: 'invalid_request', field: 'name', message: 'resource.action' },
  { name: 'a body key different from the path', method: 'PUT', path: 'scopes/po.approve', body: json(scope), status: 400, error: 'invalid_request', field: 'name', message: 'must equal the key in the path' },
  { name: 'a missing required field', method: 'PUT', path: 'roles/buyer', body: json({ name: 'buyer', scopes: [] }), status: 400, error: 'invalid_request', field: 'description', message: 'description' },
  { name: 'a token lifetime out of range', method: 'PUT', path: 'clients/bot', body: json({ clientId: 'bot', displayName: 'Bot', owner: 't', tokenLifetimeSeconds: 5 }), status: 400, error: 'invalid_request', field: 'tokenLifetimeSeconds', message: 'got 5' },
  { name: 'a subject listed twice', method: 'PUT', path: 'role-bindings/b', body: json({ name: 'b', role: 'r', subjects: [{ clientId: 'erp' }, { clientId: 'erp' }] }), status: 400, error: 'invalid_request', field: 'subjects[1].clientId', message: 'twice' },
  { name: 'a bad expiresAt', method: 'PUT', path: 'role-bindings/b', body: json({ name: 'b', role: 'r', subjects: [{ clientId: 'erp', expiresAt: 'tomorrow' }] }), status: 400, error: 'invalid_request', field: 'subjects[0].expiresAt', message: 'RFC 3339' },
  { name: 'a leap-second expiresAt, which no clock can compare', method: 'PUT', path: 'role-bindings/b', body: json({ name: 'b', role: 'r', subjects: [{ clientId: 'erp', expiresAt: '2020-12-31T23:59:60Z' }] }), status: 400, error: 'invalid_request', field: 'subjects[0].expiresAt', message: 'second 60 (a leap second) cannot be compared with a clock' },
  { name: 'a date that does not exist', method: 'PUT', path: 'role-bindings/b', body: json({ name: 'b', role: 'r', subjects: [{ clientId: 'erp', expiresAt: '2027-02-30T00:00:00Z' }] }), status: 400, error: 'invalid_request', field: 'subjects[0].expiresAt', message: 'day 30 does not exist in 2027-02' },
  { name: 'an oversized body', method: 'PUT', path: 'scopes/po.create', body: json({ ...scope, description: 'x'.repeat(1_100_000) }), status: 413, error: 'body_too_large', message: 'exceeds the limit' },
  { name: 'a bad key in a GET path', path: 'clients/ERP%20Bot', status: 400, error: 'invalid_request', field: 'clientId', message: 'lower case' },
  { name: 'an unknown kind', path: 'users/alice', status: 404, error: 'not_found', message: "unknown object kind 'users'" },
  { name: 'an unknown endpoint', path: 'clients/erp/frobnicate', status: 404, error: 'not_found', message: 'no admin endpoint' },
  { name: 'a wrong method', method: 'POST', path: 'scopes/catalog.read', body: json({}), status: 405, error: 'method_not_allowed', message: 'use GET, PUT, DELETE' },
  { name: 'a bad page limit', path: 'scopes?limit=0', status: 400, error: 'invalid_request', field: 'limit', message: 'from 1 to 1000' },
  { name: 'a bad audit date', path: 'audit?since=yesterday', status: 400, error: 'invalid_request', field: 'since', message: "got 'yesterday'" },
  { name: 'an unknown audit filter', path: 'audit?who=me', status: 400, error: 'invalid_request', field: 'who', message: "unknown filter 'who'" },
  { name: 'an overlong x-actor', path: 'scopes', headers: { 'x-actor': 'a'.repeat(300) }, status: 400, error: 'invalid_request', field: 'x-actor', message: 'at most 200' },
  { name: 'bad percent-encoding', path: 'scopes/%E0%A4%A', status: 400, error: 'invalid_request', message: 'percent-encoded' },
  { name: 'If-Match on an absent object', method: 'PUT', path: 'scopes/po.create', body: json(scope), headers: { 'if-match': '"1"' }, status: 412, error: 'precondition_failed', message: 'does not exist' },
  { name: 'a secret rotation for an unknown client', method: 'POST', path: 'clients/ghost/secret', body: json({}), status: 404, error: 'not_found', message: "client 'ghost' does not exist" },
];

describe('bad input', () => {
  test.each(CASES)('fails when the request has $name', async c => {
    const before = await server.admin.snapshot();
    const headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(c.headers ?? {})) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
    const res = await fetch(`${server.url}/admin/v1/${c.path}`, { method: c.method ?? 'GET', headers, body: c.body });
    const body = (await res.json()) as { error: string; message: string; field?: string };
    expect({ status: res.status, error: body.error }).toEqual({ status: c.status, error: c.error });
    expect(body.message).toContain(c.message);
    if (c.field !== undefined) expect(body.field).toBe(c.field);
    expect(await server.admin.snapshot()).toEqual(before);
  });

  test('fails on the token endpoint with an OAuth error, not a 5xx, for a malformed request', async () => {
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=erp&client_secret=x&scope=%ZZ',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  test('the server logged no internal error for any of these', () => {
    expect(errorLines(server.stderr())).toEqual([]);
  });
});

describe('admin rate limit', () => {
  test('fails with 429 and Retry-After over the limit; a retrying client gets through', async () => {
    const limited = await startServer({ args: ['--admin-rate-limit', '2'] });
    try {
      const headers = { authorization: `Bearer ${limited.adminToken}` };
      const statuses = await Promise.all(Array.from({ length: 6 }, () => fetch(`${limited.url}/admin/v1/scopes`, { headers })));
      const refused = statuses.filter(r => r.status === 429);
      expect(refused.length).toBeGreaterThanOrEqual(3);
      expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused[0].json()).toMatchObject({ error: 'rate_limited' });

      const retries: number[] = [];
      const patient = new AdminClient({
        url: limited.url,
        adminToken: limited.adminToken,
        onRetry: ({ delayMs }) => retries.push(delayMs),
      });
      const results = await Promise.all(Array.from({ length: 4 }, () => patient.list('scopes')));
      expect(results).toEqual([[], [], [], []]);
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every(ms => ms >= 1000)).toBe(true);
    } finally {
      await limited.stop();
    }
  });
});
