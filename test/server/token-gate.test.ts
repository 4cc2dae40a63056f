/**
 * The token endpoint as the last gate: it never issues a scope the policy in
 * force forbids, even when the store holds the binding from before the policy
 * changed, and a token never outlives a grant behind a scope it carries.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { introspect as introspectAt } from '../support/introspection';
import { privateKeyJwtToken } from '../support/jose';
import { tokenRequest } from '../support/token-requests';

let server: EmbeddedServer;
const introspect = (accessToken: string) => introspectAt(server, accessToken);
const secrets: Record<string, string> = {};

async function token(clientId: string, scope?: string) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secrets[clientId] });
  if (scope !== undefined) form.set('scope', scope);
  const res = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: (await res.json()) as { access_token: string; scope: string; expires_in: number; error: string; error_description: string } };
}

function claims(jwt: string): { exp: number; iat: number; scope: string } {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

async function adminPut(path: string, body: unknown) {
  const res = await fetch(`${server.url}/admin/v1/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read catalogs', risk: 'low', external: true } as never, 'catalog.read');
  await admin.put('scopes', { name: 'ticket.comment', description: 'Comment', risk: 'low', external: true } as never, 'ticket.comment');
  await admin.put('scopes', { name: 'ticket.write', description: 'Open tickets', risk: 'medium', implies: ['ticket.comment'] } as never, 'ticket.write');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  await admin.put('roles', { name: 'helpdesk', description: 'Tickets', scopes: ['ticket.write'] }, 'helpdesk');
  for (const [clientId, external] of [['erp', false], ['acme', true]] as const) {
    const created = await admin.put('clients', { clientId, displayName: clientId, owner: 'team', external, tokenLifetimeSeconds: 600 } as never, clientId);
    secrets[clientId] = created.clientSecret!;
  }
});
afterAll(() => server?.stop());

describe('token lifetime', () => {
  test('a token expires no later than the grant behind a scope it carries, not issue time + lifetime', async () => {
    const ends = new Date(Date.now() + 40_000);
    await server.admin.put('role-bindings', { name: 'short', role: 'reader', subjects: [{ clientId: 'erp', expiresAt: ends.toISOString() }] } as never, 'short');
    const { status, body } = await token('erp', 'catalog.read');
    expect(status).toBe(200);
    expect(body.expires_in).toBeLessThanOrEqual(40);
    expect(body.expires_in).toBeGreaterThan(0);
    const { exp, iat } = claims(body.access_token);
    expect(exp * 1000).toBeLessThanOrEqual(ends.getTime());
    expect(exp - iat).toBe(body.expires_in);
  });

  test("a grant ending long after the client's lifetime leaves the lifetime in force: 600 seconds, not the grant's 30 days", async () => {
    const ends = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await server.admin.put('role-bindings', { name: 'month', role: 'helpdesk', subjects: [{ clientId: 'erp', expiresAt: ends }] } as never, 'month');
    const { status, body } = await token('erp', 'ticket.write');
    expect(status).toBe(200);
    expect(body.expires_in).toBe(600);
    const { exp, iat } = claims(body.access_token);
    expect(exp - iat).toBe(600);
    await server.admin.delete('role-bindings', 'month');
  });

  test('a scope also held through a grant that never ends keeps the full lifetime', async () => {
    await server.admin.put('role-bindings', { name: 'forever', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'forever');
    const { body } = await token('erp', 'catalog.read');
    expect(body.expires_in).toBe(600);
    await server.admin.delete('role-bindings', 'forever');
  });
});

describe('the policy at the token endpoint', () => {
  test('fails with invalid_scope for a scope the store holds from before a policy change that forbids it', async () => {
    const exception = {
      ruleId: 'EXTERNAL-ISOLATION',
      object: { kind: 'clients', key: 'acme' },
      reason: 'Acme runs our ticket desk under contract C-77 (accepted by the platform team)',
      expiresAt: null,
    };
    // Other tests of this file change the policy too, before or after this one: only this test's changes are counted.
    const earlierUpdates = (await server.admin.audit({ action: 'policy.update' })).items.length;
    expect((await adminPut('policy', { environment: 'dev', exceptions: [exception] })).status).toBe(200);
    // Accepted while the exception stands; the token endpoint issues it.
    expect((await adminPut('role-bindings/acme-desk', { name: 'acme-desk', role: 'helpdesk', subjects: [{ clientId: 'acme' }] })).status).toBe(201);
    const issued = await token('acme', 'ticket.write');
    expect(issued.status).toBe(200);
    expect(await introspect(issued.body.access_token)).toMatchObject({ active: true, scope: 'ticket.write' });

    const changed = await adminPut('policy', { environment: 'dev' });
    expect(changed.status).toBe(200);
    expect(Number(changed.headers.get('x-policy-violations'))).toBeGreaterThanOrEqual(1);
    // The binding is still in the store...
    expect((await server.admin.get('role-bindings', 'acme-desk'))?.value.subjects).toHaveLength(1);
    // ...but the scope is no longer issued.
    const refused = await token('acme', 'ticket.write');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_scope');
    expect(refused.body.error_description).toContain('ticket.write');
    expect(refused.body.error_description).toContain('external');
    const everything = await token('acme');
    expect(everything.status).toBe(200);
    expect(everything.body.scope.split(' ')).not.toContain('ticket.write');
    // A token issued before the change is no longer active: introspection asks the same gate.
    expect(await introspect(issued.body.access_token)).toEqual({ active: false });

    const findings = (await (await fetch(`${server.url}/admin/v1/policy/findings`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json()) as {
      findings: { ruleId: string; objects: { kind: string; key: string }[] }[];
    };
    expect(findings.findings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'EXTERNAL-ISOLATION', objects: expect.arrayContaining([{ kind: 'clients', key: 'acme' }]) })]));
    const audit = (await server.admin.audit({ action: 'policy.update' })).items.slice(earlierUpdates);
    expect(audit).toHaveLength(2);
    expect(audit[1].before).toMatchObject({ exceptions: [exception] });

    // A rule the policy turns off is off at the token endpoint too.
    expect((await adminPut('policy', { environment: 'dev', severities: { 'EXTERNAL-ISOLATION': 'off' } })).status).toBe(200);
    expect((await token('acme', 'ticket.write')).status).toBe(200);
  });
});

describe('separation of duties at the token endpoint', () => {
  test('never issues both duties of a conflicting set the store holds from before a policy change, in one token or in two', async () => {
    await server.admin.put('scopes', { name: 'po.create', description: 'Create purchase orders', risk: 'high' } as never, 'po.create');
    await server.admin.put('scopes', { name: 'po.approve', description: 'Approve purchase orders', risk: 'critical' } as never, 'po.approve');
    await server.admin.put('roles', { name: 'po-clerk', description: 'Creates', scopes: ['po.create'] }, 'po-clerk');
    await server.admin.put('roles', { name: 'po-approver', description: 'Approves', scopes: ['po.approve'] }, 'po-approver');
    const exception = {
      ruleId: 'SEPARATION-OF-DUTIES',
      object: { kind: 'clients', key: 'erp' },
      reason: 'Month-end migration, approved by finance in CHG-88',
      expiresAt: null,
    };
    expect((await adminPut('policy', { environment: 'dev', exceptions: [exception] })).status).toBe(200);
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString();
    for (const [name, role] of [['erp-clerk', 'po-clerk'], ['erp-approver', 'po-approver']]) {
      const put = await adminPut(`role-bindings/${name}`, { name, role, subjects: [{ clientId: 'erp', expiresAt: soon, justification: 'CHG-88' }] });
      expect(put.status).toBe(201);
    }
    const both = await token('erp', 'po.create po.approve');
    expect(both.status).toBe(200);
    expect(await introspect(both.body.access_token)).toMatchObject({ active: true });

    // The exception goes; the bindings stay in the store.
    expect((await adminPut('policy', { environment: 'dev' })).status).toBe(200);
    expect((await server.admin.get('role-bindings', 'erp-approver'))?.value.subjects).toHaveLength(1);
    for (const scope of ['po.create po.approve', 'po.create', 'po.approve']) {
      const refused = await token('erp', scope);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_scope');
      expect(refused.body.error_description).toContain('separation of duties allows at most one of {po.create, po.approve}');
    }
    const everything = await token('erp');
    expect(everything.status).toBe(200);
    expect(everything.body.scope.split(' ')).not.toContain('po.create');
    expect(everything.body.scope.split(' ')).not.toContain('po.approve');
    expect(await introspect(both.body.access_token)).toEqual({ active: false });

    // One grant removed: the other duty is issued again.
    await server.admin.delete('role-bindings', 'erp-approver');
    expect((await token('erp', 'po.create')).status).toBe(200);
    await server.admin.delete('role-bindings', 'erp-clerk');
  });
});

describe('the server environment', () => {
  test('--environment prod enforces the strict preset; the same data under another environment is refused', async () => {
    const prod = await startServer({ args: ['--environment', 'prod'] });
    try {
      expect((await prod.admin.policy()).value).toMatchObject({ environment: 'prod', maxHighRiskGrantDays: 30, severities: { 'LEAST-PRIVILEGE': 'error' } });
      expect(prod.stdout()).toContain("policy: environment 'prod', its recommended preset");
      await prod.kill9();
      const wrong = await startServer({ dataDir: prod.dataDir }).then(
        s => s.stop().then(() => 'started'),
        (e: Error) => e.message,
      );
      expect(wrong).toContain("belongs to environment 'prod'");
      expect(wrong).toContain('--environment prod');
    } finally {
      await prod.stop();
    }
  });
});

/**
 * Every rule that can withhold a grant, on every way a client authenticates: a policy narrowed after the grant
 * stops the token endpoint issuing the scope it now forbids (client_secret_basic, client_secret_post and
 * private_key_jwt alike) and deactivates the tokens issued before. The expected scopes are written out here.
 */
describe('a stricter policy at every client authentication', () => {
  let gate: EmbeddedServer;
  let dir: string;
  let keyFile: string;
  let secret: string;
  const DAY_MS = 86_400_000;

  type Ask = (scope: string) => Promise<{ status: number; scope?: string; token?: string; error?: string; description?: string }>;
  const ways: Record<string, Ask> = {
    client_secret_basic: async scope => {
      const { status, body } = await tokenRequest(gate.url, { basic: ['erp', secret], form: scope ? { scope } : {} });
      return { status, scope: (body as { scope?: string }).scope, token: body.access_token, error: body.error, description: body.error_description };
    },
    client_secret_post: async scope => {
      const { status, body } = await tokenRequest(gate.url, { form: { client_id: 'erp', client_secret: secret, ...(scope ? { scope } : {}) } });
      return { status, scope: (body as { scope?: string }).scope, token: body.access_token, error: body.error, description: body.error_description };
    },
    private_key_jwt: async scope => {
      const { status, body } = await privateKeyJwtToken(`${gate.url}/token`, gate.url, 'erp-bot', keyFile, scope);
      const text = (name: string) => body[name] as string | undefined;
      return { status, scope: text('scope'), token: text('access_token'), error: text('error'), description: text('error_description') };
    },
  };
  const WAYS = Object.keys(ways);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-gate-'));
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keyFile = join(dir, 'erp-bot.json');
    writeFileSync(keyFile, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'erp-bot-1', alg: 'ES256' }));
    gate = await startServer({ policy: { environment: 'dev', allowedScopes: ['catalog.*', 'ticket.*', 'po.*'] } });
    const { admin } = gate;
    await admin.put('scopes', { name: 'catalog.read', description: 'Read catalogs', risk: 'low', external: false, implies: [] }, 'catalog.read');
    await admin.put('scopes', { name: 'ticket.comment', description: 'Comment on tickets', risk: 'low', external: false, implies: [] }, 'ticket.comment');
    await admin.put('scopes', { name: 'po.approve', description: 'Approve purchase orders', risk: 'critical', external: false, implies: [] }, 'po.approve');
    await admin.put('roles', { name: 'clerk', description: 'Reads and comments', scopes: ['catalog.read', 'ticket.comment'] }, 'clerk');
    await admin.put('roles', { name: 'approver', description: 'Approves', scopes: ['po.approve'] }, 'approver');
    secret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp')).clientSecret!;
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'erp-bot-1', alg: 'ES256', use: 'sig' };
    await admin.put('clients', { clientId: 'erp-bot', displayName: 'ERP bot', owner: 'team', jwks: { keys: [jwk] } } as never, 'erp-bot');
    const inTwentyDays = new Date(Date.now() + 20 * DAY_MS).toISOString();
    const subjects = ['erp', 'erp-bot'].map(clientId => ({ clientId, expiresAt: null, justification: null }));
    await admin.put('role-bindings', { name: 'clerks', role: 'clerk', subjects }, 'clerks');
    const timed = ['erp', 'erp-bot'].map(clientId => ({ clientId, expiresAt: inTwentyDays, justification: 'CHG-301' }));
    await admin.put('role-bindings', { name: 'approvers', role: 'approver', subjects: timed }, 'approvers');
  });
  afterAll(async () => {
    await gate?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test.each(WAYS)('before any change, %s is issued every held scope', async way => {
    expect(await ways[way]('')).toMatchObject({ status: 200, scope: 'catalog.read po.approve ticket.comment' });
  });

  test('narrowing allowedScopes stops every way issuing a held scope it no longer allows, and earlier tokens carrying it introspect inactive', async () => {
    const before: Record<string, { withComment: string; without: string }> = {};
    for (const way of WAYS) {
      const withComment = await ways[way]('catalog.read ticket.comment');
      const without = await ways[way]('catalog.read');
      expect([withComment.status, without.status]).toEqual([200, 200]);
      before[way] = { withComment: withComment.token!, without: without.token! };
      expect(await introspectAt(gate, before[way].withComment)).toMatchObject({ active: true });
    }
    expect((await gate.admin.putPolicy({ environment: 'dev', allowedScopes: ['catalog.*', 'po.*'] })).value).toMatchObject({ allowedScopes: ['catalog.*', 'po.*'] });
    try {
      for (const way of WAYS) {
        const refused = await ways[way]('ticket.comment');
        expect([way, refused.status, refused.error]).toEqual([way, 400, 'invalid_scope']);
        expect(refused.description).toContain("ticket.comment is not on the allow-list of environment 'dev'");
        expect([way, (await ways[way]('')).scope]).toEqual([way, 'catalog.read po.approve']);
        expect([way, (await ways[way]('catalog.read')).status]).toEqual([way, 200]);
        expect([way, await introspectAt(gate, before[way].withComment)]).toEqual([way, { active: false }]);
        // A token without the withheld scope stays active: the gate judges scopes, not clients.
        expect([way, await introspectAt(gate, before[way].without)]).toEqual([way, expect.objectContaining({ active: true, scope: 'catalog.read' })]);
      }
    } finally {
      await gate.admin.putPolicy({ environment: 'dev', allowedScopes: ['catalog.*', 'ticket.*', 'po.*'] });
    }
    // Allowed again: issued again, and the earlier token (not expired, its client unchanged) is active again.
    expect((await ways.client_secret_basic('ticket.comment')).status).toBe(200);
    expect(await introspectAt(gate, before.client_secret_post.withComment)).toMatchObject({ active: true });
  });

  test("shrinking maxHighRiskGrantDays below a grant's remaining time stops every way issuing it, and earlier tokens carrying it introspect inactive", async () => {
    const before: Record<string, string> = {};
    for (const way of WAYS) {
      const issued = await ways[way]('po.approve');
      expect([way, issued.status]).toEqual([way, 200]);
      before[way] = issued.token!;
    }
    // The grant runs 20 more days; a 30-day window holds it.
    await gate.admin.putPolicy({ environment: 'dev', allowedScopes: ['catalog.*', 'ticket.*', 'po.*'], maxHighRiskGrantDays: 30 });
    for (const way of WAYS) expect([way, (await ways[way]('po.approve')).status]).toEqual([way, 200]);
    // A 10-day window does not.
    await gate.admin.putPolicy({ environment: 'dev', allowedScopes: ['catalog.*', 'ticket.*', 'po.*'], maxHighRiskGrantDays: 10 });
    try {
      for (const way of WAYS) {
        const refused = await ways[way]('po.approve');
        expect([way, refused.status, refused.error]).toEqual([way, 400, 'invalid_scope']);
        expect(refused.description).toContain("binding 'approvers' grants po.approve (critical)");
        expect(refused.description).toContain('beyond the window');
        expect([way, (await ways[way]('')).scope]).toEqual([way, 'catalog.read ticket.comment']);
        expect([way, await introspectAt(gate, before[way])]).toEqual([way, { active: false }]);
      }
    } finally {
      await gate.admin.putPolicy({ environment: 'dev', allowedScopes: ['catalog.*', 'ticket.*', 'po.*'] });
    }
    expect((await ways.private_key_jwt('po.approve')).status).toBe(200);
  });
});
