/**
 * Server admission: every admin write is judged by the server's policy on the
 * model as it would be after it, across objects; a violating write is refused
 * with 422 and leaves nothing behind (store and audit compared exactly).
 */
import { recommendedPolicy } from '../../lib/policy';
import { AdmissionFinding } from '../../lib/model/admin-api';
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  const scope = (name: string, risk = 'low', external = false, implies: string[] = []) =>
    admin.put('scopes', { name, description: `Can ${name}`, risk, external, implies } as never, name);
  await scope('catalog.read', 'low', true);
  await scope('ticket.comment', 'low', true);
  await scope('ticket.write', 'medium', false, ['ticket.comment']);
  await scope('po.create', 'medium');
  await scope('po.approve', 'high');
  await admin.put('roles', { name: 'buyer', description: 'Buys', scopes: ['po.create'] }, 'buyer');
  await admin.put('roles', { name: 'approver', description: 'Approves', scopes: ['po.approve'] }, 'approver');
  await admin.put('roles', { name: 'supplier', description: 'Suppliers', scopes: ['catalog.read'] }, 'supplier');
  await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'finance' } as never, 'erp');
  await admin.put('clients', { clientId: 'acme', displayName: 'Acme', owner: 'suppliers', external: true } as never, 'acme');
  await admin.put('role-bindings', { name: 'buyers', role: 'buyer', subjects: [{ clientId: 'erp' }] } as never, 'buyers');
  await admin.put('role-bindings', { name: 'suppliers', role: 'supplier', subjects: [{ clientId: 'acme' }] } as never, 'suppliers');
});
afterAll(() => server?.stop());

/** What a refused write must leave untouched: every object, the revision and the whole audit log. */
async function everything() {
  return { snapshot: await server.admin.snapshot(), audit: (await server.admin.audit({ limit: 1000 })).items };
}

async function put(path: string, body: unknown, method = 'PUT') {
  const res = await fetch(`${server.url}/admin/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function refusedPut(path: string, body: unknown) {
  const before = await everything();
  const answer = await put(path, body);
  expect(await everything()).toEqual(before);
  return answer;
}

describe('server admission (the dev preset of a fresh server, no set-up)', () => {
  test('fails when an external client is bound to a scope not open to externals: 422, rule id, objects, remedy; nothing written', async () => {
    const answer = await refusedPut('role-bindings/acme-buyers', { name: 'acme-buyers', role: 'buyer', subjects: [{ clientId: 'acme' }] });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('policy_violation');
    expect(answer.body.message).toContain('EXTERNAL-ISOLATION');
    expect(answer.body.message).toContain("nothing was written");
    const finding = (answer.body.findings as AdmissionFinding[]).find(f => f.ruleId === 'EXTERNAL-ISOLATION')!;
    expect(finding).toMatchObject({ severity: 'error', existing: false });
    expect(finding.objects).toEqual(expect.arrayContaining([{ kind: 'clients', key: 'acme' }]));
    expect(finding.message).toContain('po.create');
  });

  test('fails on separation of duties reached through a second role', async () => {
    const answer = await refusedPut('role-bindings/approvers', {
      name: 'approvers',
      role: 'approver',
      subjects: [{ clientId: 'erp', expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(), justification: 'CHG-1' }],
    });
    expect(answer.status).toBe(422);
    const finding = (answer.body.findings as AdmissionFinding[]).find(f => f.ruleId === 'SEPARATION-OF-DUTIES')!;
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain('po.create');
    expect(finding.message).toContain('po.approve');
  });

  test('fails when a role change gives an external client a scope not open to externals', async () => {
    const answer = await refusedPut('roles/supplier', { name: 'supplier', description: 'Suppliers', scopes: ['catalog.read', 'ticket.write'] });
    expect(answer.status).toBe(422);
    expect((answer.body.findings as AdmissionFinding[]).map(f => f.ruleId)).toContain('EXTERNAL-ISOLATION');
  });

  test('fails when a scope change makes a held scope high risk without an expiry on its grants', async () => {
    const answer = await refusedPut('scopes/po.create', { name: 'po.create', description: 'Can po.create', risk: 'high', external: false, implies: [] });
    expect(answer.status).toBe(422);
    const finding = (answer.body.findings as AdmissionFinding[]).find(f => f.ruleId === 'TIME-BOUND-HIGH-RISK')!;
    expect(finding.objects).toEqual(expect.arrayContaining([{ kind: 'clients', key: 'erp' }]));
  });

  test('fails when a high-risk grant runs beyond the window of the environment (90 days in dev)', async () => {
    const far = new Date(Date.now() + 120 * 86_400_000).toISOString();
    const answer = await refusedPut('role-bindings/approvers', {
      name: 'approvers',
      role: 'approver',
      subjects: [{ clientId: 'acme', expiresAt: far, justification: 'CHG-2' }],
    });
    expect(answer.status).toBe(422);
    expect((answer.body.findings as AdmissionFinding[]).map(f => f.ruleId)).toContain('TIME-BOUND-HIGH-RISK');
  });

  test('a compliant write passes; a warning does not refuse it and is named in x-policy-warnings', async () => {
    await server.admin.put('roles', { name: 'desk', description: 'Desk', scopes: ['ticket.write', 'ticket.comment'] }, 'desk');
    const answer = await put('role-bindings/desk', { name: 'desk', role: 'desk', subjects: [{ clientId: 'erp' }] });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-policy-warnings')).toContain('LEAST-PRIVILEGE');
  });

  test('fails with 400 on a leap second or a date that does not exist, naming the field; nothing written', async () => {
    for (const expiresAt of ['2030-12-31T23:59:60Z', '2030-02-30T00:00:00Z', '2030-01-01T00:00:00']) {
      const answer = await refusedPut('role-bindings/readers', { name: 'readers', role: 'supplier', subjects: [{ clientId: 'erp', expiresAt }] });
      expect(answer.status).toBe(400);
      expect(answer.body.field).toContain('expiresAt');
    }
  });
});

describe('dry-run admission (POST /admin/v1/admission)', () => {
  test('judges changes made together, counting objects created among them as existing; writes nothing', async () => {
    const before = await everything();
    const answer = await put(
      'admission',
      {
        changes: [
          { kind: 'roles', key: 'po-approver', value: { name: 'po-approver', description: 'Approves', scopes: ['po.approve'] } },
          { kind: 'role-bindings', key: 'po-approvers', value: { name: 'po-approvers', role: 'po-approver', subjects: [{ clientId: 'erp' }] } },
        ],
      },
      'POST',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.allowed).toBe(false);
    expect(answer.body.environment).toBe('dev');
    const ids = (answer.body.findings as AdmissionFinding[]).filter(f => !f.existing).map(f => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['SEPARATION-OF-DUTIES', 'TIME-BOUND-HIGH-RISK']));
    expect(await everything()).toEqual(before);
  });

  test('answers allowed for compliant changes', async () => {
    const answer = await put('admission', { changes: [{ kind: 'clients', key: 'new-bot', value: { clientId: 'new-bot', displayName: 'Bot', owner: 'team' } }] }, 'POST');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ allowed: true, findings: [] });
  });

  test('fails with 422 naming a reference that neither exists nor is among the changes', async () => {
    const answer = await put('admission', { changes: [{ kind: 'role-bindings', key: 'x', value: { name: 'x', role: 'ghost', subjects: [] } }] }, 'POST');
    expect(answer.status).toBe(422);
    expect(answer.body.message).toContain("role 'ghost'");
  });

  test('fails with 400 on malformed changes and on more than the limit', async () => {
    expect((await put('admission', { changes: 'nope' }, 'POST')).status).toBe(400);
    expect((await put('admission', { changes: [{ kind: 'roles', key: 'a', value: { name: 'b', description: 'x', scopes: [] } }] }, 'POST')).status).toBe(400);
    const many = Array.from({ length: 1_001 }, (_, i) => ({ kind: 'clients', key: `c${i}`, delete: true }));
    const tooMany = await put('admission', { changes: many }, 'POST');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('at most 1000');
  });
});

describe('the server policy (GET/PUT /admin/v1/policy)', () => {
  test('a fresh server answers the recommended preset of its environment', async () => {
    // A server of its own: the file's server has its policy written by the tests here, in whatever order they run.
    const fresh = await startServer();
    try {
      const policy = await fresh.admin.policy();
      expect(policy.value).toMatchObject({ environment: 'dev', maxHighRiskGrantDays: 90, exceptions: [] });
      expect(policy.etag).toBe('"0"');
    } finally {
      await fresh.stop();
    }
  });

  test('fails when an exception has no written reason, or the document is for another environment; nothing stored', async () => {
    const exception = { ruleId: 'EXTERNAL-ISOLATION', object: { kind: 'clients', key: 'acme' }, reason: 'ok', expiresAt: null };
    const before = await server.admin.policy();
    const short = await refusedPut('policy', { environment: 'dev', exceptions: [exception] });
    expect(short.status).toBe(400);
    expect(short.body.field).toBe('exceptions[0].reason');
    const other = await refusedPut('policy', { environment: 'prod' });
    expect(other.status).toBe(422);
    expect(other.body.message).toContain("this server guards 'dev'");
    const after = await server.admin.policy();
    expect([after.etag, after.value]).toEqual([before.etag, before.value]);
  });

  test('DELETE puts the preset back (admin role, audited); a write token is refused; GET /admin/v1/token names the caller', async () => {
    const write = await server.admin.createAdminToken('policy-writer', 'write');
    const as = (token: string, method: string, path: string) => fetch(`${server.url}/admin/v1/${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    expect(await (await as(write.token, 'GET', 'token')).json()).toEqual({ name: 'policy-writer', role: 'write' });

    expect((await server.admin.putPolicy({ environment: 'dev', maxHighRiskGrantDays: 10 })).value).toMatchObject({ maxHighRiskGrantDays: 10 });
    expect((await server.admin.policy()).source).toBe('stored');
    const refused = await as(write.token, 'DELETE', 'policy');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('needs the admin role');
    expect((await server.admin.policy()).source).toBe('stored');

    const deleted = await server.admin.deletePolicy();
    expect(deleted.value).toEqual(recommendedPolicy('dev'));
    const now = await server.admin.policy();
    expect([now.source, now.value]).toEqual(['preset', recommendedPolicy('dev')]);
    await server.admin.deletePolicy(); // already the preset: nothing more is audited
    const audit = (await server.admin.audit({ action: 'policy.delete' })).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ before: { maxHighRiskGrantDays: 10 }, after: null });
  });
});
