/**
 * The policy at every admin write: for each write route, a write that would
 * break the server's policy is refused and nothing is written (every object,
 * managers, the audit log, the policy, admin tokens and signing keys compared
 * exactly). The refusal and the rule it names are written down here by hand.
 *
 * What no rule can judge is said where it applies: a delete can only break
 * REFERENCES (an object something still names), which the server refuses
 * before admission with 409 `still_referenced` (and the dry run, with 422);
 * nothing names a role binding, so no delete of one breaks a rule. A secret
 * rotation and an adoption (`PUT {kind}/{key}/manager`) change no object the
 * rules read: the secret and the manager are not in the model.
 */
import { adminState } from '../support/admin-state';
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;

const ALLOWED = ['catalog.*', 'po.*', 'ticket.*'];
const scope = (name: string, risk: string, external = false) => ({ name, description: `Can ${name}`, risk, external, implies: [] });
const client = (clientId: string, extra: object = {}) => ({ clientId, displayName: clientId, owner: 'team', ...extra });

beforeAll(async () => {
  server = await startServer({ policy: { environment: 'dev', allowedScopes: ALLOWED } });
  const { admin } = server;
  await admin.put('scopes', scope('catalog.read', 'low', true) as never, 'catalog.read');
  await admin.put('scopes', scope('po.create', 'medium') as never, 'po.create');
  await admin.put('scopes', scope('po.approve', 'high') as never, 'po.approve');
  await admin.put('roles', { name: 'buyer', description: 'Buys', scopes: ['po.create'] }, 'buyer');
  await admin.put('roles', { name: 'approver', description: 'Approves', scopes: ['po.approve'] }, 'approver');
  await admin.put('roles', { name: 'supplier', description: 'Supplies', scopes: ['catalog.read'] }, 'supplier');
  await admin.put('clients', client('erp') as never, 'erp');
  await admin.put('clients', client('acme', { external: true }) as never, 'acme');
  await admin.put('role-bindings', { name: 'buyers', role: 'buyer', subjects: [{ clientId: 'erp' }] } as never, 'buyers');
  await admin.put('role-bindings', { name: 'suppliers', role: 'supplier', subjects: [{ clientId: 'acme' }] } as never, 'suppliers');
});
afterAll(() => server?.stop());

interface Refusal {
  method: 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  status: number;
  /** The error code of the answer. */
  error: string;
  /** Rule ids among the answer's error findings (for a 422 policy_violation). */
  rules?: string[];
  /** A fragment of the message. */
  says: string;
}

const REFUSALS: [string, Refusal][] = [
  [
    'PUT scopes (create): a scope the allow-list does not name',
    { method: 'PUT', path: 'scopes/secret.read', body: scope('secret.read', 'low'), status: 422, error: 'policy_violation', rules: ['ALLOW-LIST'], says: "scope 'secret.read' is not on the allow-list" },
  ],
  [
    'PUT scopes (update): a high-risk scope marked external without the policy naming it',
    { method: 'PUT', path: 'scopes/po.approve', body: scope('po.approve', 'high', true), status: 422, error: 'policy_violation', rules: ['EXTERNAL-ISOLATION'], says: 'externalHighRiskScopes' },
  ],
  [
    'PUT roles (update): a role that gives a bound client both duties of a conflicting set',
    {
      method: 'PUT',
      path: 'roles/buyer',
      body: { name: 'buyer', description: 'Buys', scopes: ['po.create', 'po.approve'] },
      status: 422,
      error: 'policy_violation',
      rules: ['SEPARATION-OF-DUTIES', 'TIME-BOUND-HIGH-RISK'],
      says: 'separation of duties allows at most one of {po.create, po.approve}',
    },
  ],
  [
    'PUT clients (create): a secret rotated less often than the policy requires',
    { method: 'PUT', path: 'clients/new-bot', body: client('new-bot', { secretRotationDays: 200 }), status: 422, error: 'policy_violation', rules: ['ROTATION'], says: 'rotates its secret every 200 days' },
  ],
  [
    'PUT clients (update): a client made external while it holds internal scopes',
    { method: 'PUT', path: 'clients/erp', body: client('erp', { external: true }), status: 422, error: 'policy_violation', rules: ['EXTERNAL-ISOLATION'], says: "external client 'erp' would hold internal scope po.create" },
  ],
  [
    'PUT role-bindings (create): a high-risk grant with no expiry, and both duties to one client',
    {
      method: 'PUT',
      path: 'role-bindings/approvers',
      body: { name: 'approvers', role: 'approver', subjects: [{ clientId: 'erp' }] },
      status: 422,
      error: 'policy_violation',
      rules: ['SEPARATION-OF-DUTIES', 'TIME-BOUND-HIGH-RISK'],
      says: "subject 'erp' has no expiresAt",
    },
  ],
  [
    'PUT role-bindings (update): an external client bound to a role of internal scopes',
    {
      method: 'PUT',
      path: 'role-bindings/suppliers',
      body: { name: 'suppliers', role: 'buyer', subjects: [{ clientId: 'acme' }] },
      status: 422,
      error: 'policy_violation',
      rules: ['EXTERNAL-ISOLATION'],
      says: "external client 'acme' would hold internal scope po.create",
    },
  ],
  [
    'DELETE scopes: a scope a role still names (REFERENCES, refused before admission)',
    { method: 'DELETE', path: 'scopes/po.create', status: 409, error: 'still_referenced', says: "role 'buyer' (in its scopes)" },
  ],
  ['DELETE roles: a role a binding still binds', { method: 'DELETE', path: 'roles/buyer', status: 409, error: 'still_referenced', says: "role binding 'buyers' (binds it)" }],
  ['DELETE clients: a client a binding still names', { method: 'DELETE', path: 'clients/erp', status: 409, error: 'still_referenced', says: "role binding 'buyers' (names it as a subject)" }],
  [
    'PUT policy: a document for another environment',
    { method: 'PUT', path: 'policy', body: { environment: 'prod' }, status: 422, error: 'wrong_environment', says: "this server guards 'dev'" },
  ],
];

async function send(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/admin/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as { error?: string; message?: string; findings?: { ruleId: string; severity: string; existing: boolean }[] } };
}

test.each(REFUSALS)('fails on %s: nothing written', async (_name, refusal) => {
  const before = await adminState(server);
  const answer = await send(refusal.method, refusal.path, refusal.body);
  expect({ status: answer.status, error: answer.body.error }).toEqual({ status: refusal.status, error: refusal.error });
  expect(answer.body.message).toContain(refusal.says);
  if (refusal.rules) {
    const refusing = answer.body.findings!.filter(f => f.severity === 'error' && !f.existing).map(f => f.ruleId);
    expect([...new Set(refusing)].sort()).toEqual(refusal.rules);
  }
  expect(await adminState(server)).toEqual(before);
});

test('the plan gate judges deletes too: the dry run of deleting a scope a role names is not allowed, naming REFERENCES', async () => {
  const before = await adminState(server);
  const answer = await send('POST', 'admission', { changes: [{ kind: 'scopes', key: 'po.create', delete: true }] });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ allowed: false });
  expect(answer.body.findings!.filter(f => f.severity === 'error' && !f.existing).map(f => f.ruleId)).toEqual(['REFERENCES']);
  expect(await adminState(server)).toEqual(before);
});
