/**
 * Every admin route against every role (no token, read, write, admin), the
 * expected status of each written down here by hand from the design ("read:
 * snapshot, GET, usage, audit; write: apply; admin: policy, tokens"), not
 * read from the server's route table: a route opened to a weaker role, or
 * closed to the role it is for, fails here. A refused write leaves the store
 * (snapshot, managers included), the audit log, the policy, the admin tokens,
 * the signing keys and the client's secret exactly as they were.
 */
import { ROUTES } from '../../lib/server/admin/router';
import { adminState } from '../support/admin-state';
import { EmbeddedServer, startServer } from '../support/embedded-server';

type Role = 'none' | 'read' | 'write' | 'admin';
const ROLES: readonly Role[] = ['none', 'read', 'write', 'admin'];

interface Row {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The path under /admin/v1 for a caller of `role`: a write that succeeds for two roles acts on one object each. */
  path: (role: Role) => string;
  body?: (role: Role) => unknown;
  headers?: (role: Role) => Record<string, string>;
  /** The status for no token, a read, a write and an admin token. */
  expect: [none: number, read: number, write: number, admin: number];
}

const scope = (name: string) => ({ name, description: `Can ${name}`, risk: 'low' as const, external: false, implies: [] });
const role = (name: string) => ({ name, description: `Role ${name}`, scopes: ['matrix.read'] });
const client = (clientId: string) => ({ clientId, displayName: clientId, owner: 'team' });
const binding = (name: string) => ({ name, role: 'reader', subjects: [] });
const adopt = (r: Role) => ({ 'x-manager': `matrix-manager-${r}-000000`, 'x-manager-label': `matrix ${r}` });

const READ: Row['expect'] = [401, 200, 200, 200];
const ADMIN_ONLY_READ: Row['expect'] = [401, 403, 403, 200];

const ROWS: Row[] = [
  { method: 'GET', path: () => 'snapshot', expect: READ },
  { method: 'GET', path: () => 'revision', expect: READ },
  { method: 'GET', path: () => 'audit', expect: READ },
  { method: 'GET', path: () => 'usage', expect: READ },
  { method: 'GET', path: () => 'refusals', expect: ADMIN_ONLY_READ },
  // Summed per client and reason, without the addresses that called: the read role (the access map shows it).
  { method: 'GET', path: () => 'refusals/summary', expect: READ },
  { method: 'GET', path: () => 'token', expect: READ },
  { method: 'GET', path: () => 'policy', expect: READ },
  // Where the push to a downstream server stands (issue 22): the read role, like the other status reads.
  { method: 'GET', path: () => 'downstream', expect: READ },
  // Adopting a downstream's client is the admin's alone; this server has no downstream, so the admin's answer is
  // 409 no_downstream (adoption itself: test/downstream/adopt.test.ts).
  { method: 'PUT', path: () => 'downstream/clients/erp', body: () => ({}), expect: [401, 403, 403, 409] },
  { method: 'GET', path: () => 'policy/findings', expect: READ },
  { method: 'POST', path: () => 'admission', body: () => ({ changes: [{ kind: 'scopes', key: 'dry.run', value: scope('dry.run') }] }), expect: READ },
  { method: 'PUT', path: () => 'policy', body: () => ({ environment: 'dev', maxHighRiskGrantDays: 60 }), expect: [401, 403, 403, 200] },
  { method: 'DELETE', path: () => 'policy', expect: [401, 403, 403, 200] },
  { method: 'GET', path: () => 'admin-tokens', expect: ADMIN_ONLY_READ },
  { method: 'POST', path: () => 'admin-tokens', body: r => ({ name: `made-by-${r}`, role: 'read' }), expect: [401, 403, 403, 201] },
  { method: 'DELETE', path: r => `admin-tokens/revoked-by-${r}`, expect: [401, 403, 403, 204] },
  { method: 'GET', path: () => 'signing-keys', expect: READ },
  { method: 'POST', path: () => 'signing-keys', body: () => ({ publishDelaySeconds: 0 }), expect: [401, 403, 403, 201] },
  { method: 'POST', path: () => 'clients/erp/secret', expect: [401, 403, 200, 200] },
  { method: 'GET', path: () => 'clients/erp/effective-scopes', expect: READ },

  { method: 'GET', path: () => 'scopes', expect: READ },
  { method: 'GET', path: () => 'scopes/matrix.read', expect: READ },
  { method: 'PUT', path: r => `scopes/new.${r}`, body: r => scope(`new.${r}`), expect: [401, 403, 201, 201] },
  { method: 'DELETE', path: r => `scopes/gone.${r}`, expect: [401, 403, 204, 204] },
  { method: 'GET', path: () => 'scopes/matrix.read/manager', expect: READ },
  { method: 'PUT', path: r => `scopes/adopted.${r}/manager`, headers: adopt, expect: [401, 403, 200, 200] },

  { method: 'GET', path: () => 'roles', expect: READ },
  { method: 'GET', path: () => 'roles/reader', expect: READ },
  { method: 'PUT', path: r => `roles/new-${r}`, body: r => role(`new-${r}`), expect: [401, 403, 201, 201] },
  { method: 'DELETE', path: r => `roles/gone-${r}`, expect: [401, 403, 204, 204] },
  { method: 'GET', path: () => 'roles/reader/manager', expect: READ },
  { method: 'PUT', path: r => `roles/adopted-${r}/manager`, headers: adopt, expect: [401, 403, 200, 200] },

  { method: 'GET', path: () => 'clients', expect: READ },
  { method: 'GET', path: () => 'clients/erp', expect: READ },
  { method: 'PUT', path: r => `clients/new-${r}`, body: r => client(`new-${r}`), expect: [401, 403, 201, 201] },
  { method: 'DELETE', path: r => `clients/gone-${r}`, expect: [401, 403, 204, 204] },
  { method: 'GET', path: () => 'clients/erp/manager', expect: READ },
  { method: 'PUT', path: r => `clients/adopted-${r}/manager`, headers: adopt, expect: [401, 403, 200, 200] },

  { method: 'GET', path: () => 'role-bindings', expect: READ },
  { method: 'GET', path: () => 'role-bindings/readers', expect: READ },
  { method: 'PUT', path: r => `role-bindings/new-${r}`, body: r => binding(`new-${r}`), expect: [401, 403, 201, 201] },
  { method: 'DELETE', path: r => `role-bindings/gone-${r}`, expect: [401, 403, 204, 204] },
  { method: 'GET', path: () => 'role-bindings/readers/manager', expect: READ },
  { method: 'PUT', path: r => `role-bindings/adopted-${r}/manager`, headers: adopt, expect: [401, 403, 200, 200] },
];

let server: EmbeddedServer;
const tokens: Partial<Record<Role, string>> = {};
/** The client erp's secret: a refused rotation must leave it working. */
let erpSecret: string;

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  for (const r of ['read', 'write', 'admin'] as const) tokens[r] = (await admin.createAdminToken(`matrix-${r}`, r)).token;
  await admin.put('scopes', scope('matrix.read'), 'matrix.read');
  await admin.put('roles', role('reader'), 'reader');
  erpSecret = (await admin.put('clients', client('erp') as never, 'erp')).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  for (const r of ROLES) {
    for (const prefix of ['gone', 'adopted']) {
      await admin.put('scopes', scope(`${prefix}.${r}`), `${prefix}.${r}`);
      await admin.put('roles', role(`${prefix}-${r}`), `${prefix}-${r}`);
      await admin.put('clients', client(`${prefix}-${r}`) as never, `${prefix}-${r}`);
      await admin.put('role-bindings', binding(`${prefix}-${r}`) as never, `${prefix}-${r}`);
    }
    await admin.createAdminToken(`revoked-by-${r}`, 'read');
  }
});
afterAll(() => server?.stop());

async function call(r: Role, row: Row): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { ...row.headers?.(r) };
  if (r !== 'none') headers.authorization = `Bearer ${tokens[r]}`;
  const body = row.body?.(r);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}/admin/v1/${row.path(r)}`, { method: row.method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.text() };
}

/** Everything a refused write must leave as it was, and the client's secret still authenticating. */
async function everything(): Promise<unknown> {
  // Introspection with the client's credentials writes nothing.
  const introspection = await fetch(`${server.url}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`erp:${erpSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: 'not-a-token' }),
  });
  return { ...(await adminState(server)), secret: introspection.status };
}

describe.each(ROWS.map(row => [`${row.method} /admin/v1/${row.path('write').replace(/(-|\.)write\b/, '$1{role}')}`, row] as const))('%s', (_name, row) => {
  test.each(ROLES.map((r, i) => [r, row.expect[i]] as const))('as %s: %i', async (r, expected) => {
    const writes = row.method !== 'GET';
    const refused = expected >= 400;
    const before = writes && refused ? await everything() : null;
    const answer = await call(r, row);
    expect({ role: r, status: answer.status, body: answer.body.slice(0, 300) }).toEqual({ role: r, status: expected, body: expect.any(String) });
    if (before) expect(await everything()).toEqual(before);
    if (row.path(r) === 'clients/erp/secret' && !refused) erpSecret = (JSON.parse(answer.body) as { clientSecret: string }).clientSecret;
  });
});

test('the table has a row for every route the server serves (a new route needs its expected statuses written here)', () => {
  const rowFor = (route: { method: string; pattern: string[] }) =>
    ROWS.some(row => {
      const segments = row.path('write').split('/');
      return row.method === route.method && segments.length === route.pattern.length && route.pattern.every((p, i) => p === '*' || p === segments[i]);
    });
  expect(ROUTES.filter(route => !rowFor(route)).map(route => `${route.method} ${route.pattern.join('/')}`)).toEqual([]);
});
