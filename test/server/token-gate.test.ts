/**
 * The token endpoint as the last gate: it never issues a scope the policy in
 * force forbids, even when the store holds the binding from before the policy
 * changed, and a token never outlives a grant behind a scope it carries.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;
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
    expect((await adminPut('policy', { environment: 'dev', exceptions: [exception] })).status).toBe(200);
    // Accepted while the exception stands; the token endpoint issues it.
    expect((await adminPut('role-bindings/acme-desk', { name: 'acme-desk', role: 'helpdesk', subjects: [{ clientId: 'acme' }] })).status).toBe(201);
    expect((await token('acme', 'ticket.write')).status).toBe(200);

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

    const findings = (await (await fetch(`${server.url}/admin/v1/policy/findings`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json()) as {
      findings: { ruleId: string; objects: { kind: string; key: string }[] }[];
    };
    expect(findings.findings).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'EXTERNAL-ISOLATION', objects: expect.arrayContaining([{ kind: 'clients', key: 'acme' }]) })]));
    const audit = (await server.admin.audit({ action: 'policy.update' })).items;
    expect(audit).toHaveLength(2);
    expect(audit[1].before).toMatchObject({ exceptions: [exception] });

    // A rule the policy turns off is off at the token endpoint too.
    expect((await adminPut('policy', { environment: 'dev', severities: { 'EXTERNAL-ISOLATION': 'off' } })).status).toBe(200);
    expect((await token('acme', 'ticket.write')).status).toBe(200);
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
