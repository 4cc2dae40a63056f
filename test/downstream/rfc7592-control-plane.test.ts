/**
 * What the control plane does with an rfc7592 downstream beyond the contract (contract.test.ts): drift only
 * reported, clients it did not create left alone, a create during an outage, and secrets kept out of logs,
 * audit and status. Real processes: `procurement-scopes server --downstream` and unmodified node-oidc-provider.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { controlPlaneWithDownstream } from '../support/downstream-fixture';
import { apiError } from '../support/api-error';
import { requestToken } from '../support/rfc7592-downstream';

const SCOPES = ['catalog.read', 'rfq.submit'];
const fixture = controlPlaneWithDownstream(SCOPES, { reconcileSeconds: 1, drift: 'report' });
let tokenEndpoint: string;

beforeAll(async () => {
  tokenEndpoint = `${fixture.downstream.issuer}/token`;
  for (const name of SCOPES) await fixture.control.admin.put('scopes', { name, description: `Can ${name}`, risk: 'low', external: false, implies: [] } as never, name);
  await fixture.control.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
});

function registration(clientId: string): { token: string; uri: string } {
  const db = new Database(join(fixture.control.dataDir, 'store.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT state FROM downstream_clients WHERE client_id = ?').get(clientId) as { state: string };
    return JSON.parse(row.state) as { token: string; uri: string };
  } finally {
    db.close();
  }
}

/** Waits for `passes` more finished passes (lastReconcileAt moving on). */
async function reconciles(passes: number): Promise<void> {
  let seen = (await fixture.control.admin.downstream()).lastReconcileAt;
  for (let i = 0; i < passes; ) {
    await new Promise(resolve => setTimeout(resolve, 200));
    const now = (await fixture.control.admin.downstream()).lastReconcileAt;
    if (now !== seen) {
      seen = now;
      i++;
    }
  }
}

async function create(clientId: string): Promise<{ id: string; secret: string }> {
  const created = await fixture.control.admin.put('clients', { clientId, displayName: clientId, owner: 'procurement' } as never, clientId);
  await fixture.control.admin.put('role-bindings', { name: `${clientId}-reads`, role: 'reader', subjects: [{ clientId }] } as never, `${clientId}-reads`);
  return { id: created.downstreamClientId!, secret: created.clientSecret! };
}

test('drift: report: a hand-made change is audited once and left in place until the model changes for that client', async () => {
  const { id, secret } = await create('report-bot');
  const { token, uri } = registration('report-bot');
  const current = (await (await fetch(uri, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
  for (const field of ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at']) delete current[field];
  const put = await fetch(uri, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...current, scope: 'catalog.read rfq.submit' }) });
  expect(put.status).toBe(200);

  await reconciles(3);
  expect((await fixture.control.admin.downstream()).drift).toContainEqual(expect.objectContaining({ clientId: 'report-bot', found: ['catalog.read', 'rfq.submit'], action: 'reported' }));
  expect(await requestToken(tokenEndpoint, id, secret, 'rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });
  const { items } = await fixture.control.admin.audit({ action: 'downstream.drift' });
  expect(items.filter(e => e.key === 'report-bot')).toHaveLength(1);

  // The model changes for the client: its wanted state is pushed over the drift.
  await fixture.control.admin.delete('role-bindings', 'report-bot-reads');
  expect((await requestToken(tokenEndpoint, id, secret, 'rfq.submit')).scopes).toBeNull();
  expect((await requestToken(tokenEndpoint, id, secret, 'catalog.read')).scopes).toBeNull();
});

test('a client registered on the downstream by someone else is never touched', async () => {
  const initial = readFileSync(fixture.downstream.config.initialAccessTokenFile, 'utf8');
  const foreign = (await (
    await fetch(`${fixture.downstream.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${initial}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'report-bot', grant_types: ['client_credentials'], response_types: [], scope: 'catalog.read rfq.submit' }),
    })
  ).json()) as { client_id: string; client_secret: string };
  await reconciles(2);
  expect(await requestToken(tokenEndpoint, foreign.client_id, foreign.client_secret, 'catalog.read rfq.submit')).toMatchObject({ status: 200, scopes: ['catalog.read', 'rfq.submit'] });
  expect((await fixture.control.admin.downstream()).drift.filter(d => d.clientId !== 'report-bot')).toEqual([]);
});

test('a client created while the downstream is down: the apply fails saying so, the create waits, and the next apply delivers its credentials', async () => {
  await fixture.downstream.terminate();
  try {
    const refusal = await apiError(fixture.control.admin.put('clients', { clientId: 'late-bot', displayName: 'late-bot', owner: 'procurement' } as never, 'late-bot'));
    expect(refusal).toMatchObject({ status: 502, code: 'downstream_not_synced' });
    expect(refusal.message).toContain(`rfc7592 downstream ${fixture.downstream.issuer}: could not `);
    // Which call finds it down depends on what ran before: the control plane reads the downstream's metadata once,
    // at its first create (this one, when no test created a client before it), and reads the clients it holds.
    expect(refusal.message).toMatch(/could not (discover|read client '[^']+'|register client 'late-bot'): fetch failed/);
    expect(refusal.message).toContain("to receive the credentials of client 'late-bot'");
  } finally {
    // Also after a failed check: the other tests need the downstream.
    await fixture.downstream.start();
  }
  await reconciles(2);
  const waiting = await fixture.control.admin.downstream();
  expect(waiting).toMatchObject({ inSync: false, pending: [{ clientId: 'late-bot', change: 'create', why: expect.stringContaining('next apply') }] });

  const again = await fixture.control.admin.put('clients', { clientId: 'late-bot', displayName: 'late-bot', owner: 'procurement' } as never, 'late-bot');
  expect(again.created).toBe(false);
  expect(again.downstreamClientId).toEqual(expect.any(String));
  await fixture.control.admin.put('role-bindings', { name: 'late-bot-reads', role: 'reader', subjects: [{ clientId: 'late-bot' }] } as never, 'late-bot-reads');
  expect(await requestToken(tokenEndpoint, again.downstreamClientId!, again.clientSecret!, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  expect(await fixture.control.admin.downstream()).toMatchObject({ inSync: true, pending: [] });
});

test('registration access tokens and downstream secrets never reach the log, the audit or the status', async () => {
  const { secret } = await create('quiet-bot');
  const { token } = registration('quiet-bot');
  const { items } = await fixture.control.admin.audit({ limit: 500 } as never);
  const shown = [fixture.control.stderr(), fixture.control.stdout(), JSON.stringify(items), JSON.stringify(await fixture.control.admin.downstream())].join('\n');
  expect(shown).not.toContain(token);
  expect(shown).not.toContain(secret);
  expect(shown).not.toContain(readFileSync(fixture.downstream.config.initialAccessTokenFile, 'utf8'));
});

test('GET /admin/v1/downstream needs only the read role', async () => {
  const { token } = await fixture.control.admin.createAdminToken('plan-reader', 'read');
  const reader = new AdminClient({ url: fixture.control.url, adminToken: token, actor: 'test', maxAttempts: 1 });
  expect(await reader.downstream()).toMatchObject({ kind: 'rfc7592', inSync: true, lastReconcileAt: expect.any(String), pending: [] });
});

test('the start-up banner names the downstream', () => {
  expect(fixture.control.stdout()).toContain(`downstream: rfc7592 ${fixture.downstream.issuer} (clients get their tokens there)\n`);
});

test('a rotation of a downstream client\'s secret is refused with the way to get new credentials', async () => {
  const refusal = await apiError(fixture.control.admin.rotateSecret('quiet-bot'));
  expect(refusal).toMatchObject({ status: 409, code: 'downstream_credentials' });
  expect(refusal.message).toMatch(/rfc7592 downstream.*-replace/);
});
