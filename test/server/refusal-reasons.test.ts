/**
 * Why a scope was refused, as the counters tell it: a scope never granted
 * (`invalid_scope`), one the policy in force withholds (`policy`) and one
 * whose grant expired (`expired_grant`) all answer the OAuth error
 * `invalid_scope`, but count apart in `procurement_token_refusals_total` and
 * in the stored refusal counters (`GET /admin/v1/refusals`). A real server
 * with a clock the test moves, real token requests, exact counts written down
 * before the requests are made.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { Sample, scrape, valueOf } from '../support/metrics-scrape';
import { tokenRequest } from '../support/token-requests';

let server: EmbeddedServer;
let secret: string;
const GRANT_SECONDS = 3600;
const REFUSED = 'procurement_token_refusals_total';
/** catalog.read and payment.approve are a conflicting pair of the recommended separation of duties. */
const DUTIES_OFF = { environment: 'dev', severities: { 'SEPARATION-OF-DUTIES': 'off' } };

const token = (scope: string) => tokenRequest(server.url, { basic: ['erp', secret], form: { scope } });
const counted = (samples: Sample[], reason: string) => valueOf(samples, REFUSED, { client_id: 'erp', reason });

beforeAll(async () => {
  server = await startServer({ movableClock: true, policy: DUTIES_OFF });
  const { admin } = server;
  for (const name of ['catalog.read', 'payment.approve', 'po.create']) {
    await admin.put('scopes', { name, description: `Can ${name}`, risk: 'low', external: false, implies: [] }, name);
  }
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  await admin.put('roles', { name: 'payer', description: 'Pays', scopes: ['payment.approve'] }, 'payer');
  secret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp')).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  const expiresAt = new Date(Date.now() + GRANT_SECONDS * 1000).toISOString();
  await admin.put('role-bindings', { name: 'payers', role: 'payer', subjects: [{ clientId: 'erp', expiresAt, justification: 'CHG-7' }] } as never, 'payers');
});
afterAll(() => server?.stop());

test('never granted, withheld by the policy and expired count under invalid_scope, policy and expired_grant; a mixed request under the most fundamental', async () => {
  const adminToken = server.adminToken;
  const before = await scrape(server.url, adminToken);
  // A fresh client's three scope-refusal series are there at 0 (the alert's increase() sees the first refusal).
  for (const reason of ['invalid_scope', 'policy', 'expired_grant']) {
    expect(before.some(s => s.name === REFUSED && s.labels.client_id === 'erp' && s.labels.reason === reason && s.value === 0)).toBe(true);
  }

  // 1. Never granted: invalid_scope.
  expect((await token('po.create')).body).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining("po.create is not granted to client 'erp'") });

  // 2. The policy now enforces separation of duties: both conflicting duties are withheld.
  await server.admin.putPolicy({ environment: 'dev' });
  const withheld = await token('payment.approve');
  expect(withheld.body).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining('payment.approve') });
  // Withheld and never granted in one request: counted once, as the scope never granted.
  expect((await token('payment.approve po.create')).body.error).toBe('invalid_scope');
  await server.admin.putPolicy(DUTIES_OFF);
  expect((await token('payment.approve')).status).toBe(200);

  // 3. The grant expires.
  await server.advanceClock(GRANT_SECONDS + 60);
  expect((await token('payment.approve')).body).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining("by binding 'payers', which expired at") });

  const expected = { invalid_scope: 2, policy: 1, expired_grant: 1 };
  const deadline = Date.now() + 10_000;
  let after = await scrape(server.url, adminToken);
  // Counted once each answer has gone out: scrape until they are all in, a bounded while.
  while (Object.entries(expected).some(([reason, n]) => counted(after, reason) < n) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 20));
    after = await scrape(server.url, adminToken);
  }
  expect(Object.fromEntries(Object.keys(expected).map(reason => [reason, counted(after, reason) - counted(before, reason)]))).toEqual(expected);

  // The stored counters (flushed once a second) say the same, with the same words.
  let stored: Record<string, number> = {};
  while (Date.now() < deadline + 10_000) {
    stored = {};
    for (const row of (await server.admin.refusals({ clientId: 'erp' })).items) stored[row.reason] = (stored[row.reason] ?? 0) + row.count;
    if (Object.values(stored).reduce((a, b) => a + b, 0) >= 4) break;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  expect(stored).toEqual(expected);

  // The read role's summary (the access map's): the same counts per client, endpoint and reason, no address.
  const readToken = (await server.admin.createAdminToken('reviewer', 'read')).token;
  const summary = (await (await fetch(`${server.url}/admin/v1/refusals/summary`, { headers: { authorization: `Bearer ${readToken}` } })).json()) as { items: unknown[] };
  const row = (reason: string, count: number) => ({ clientId: 'erp', endpoint: 'token', reason, count, lastMinute: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/) });
  expect(summary.items).toEqual([row('expired_grant', 1), row('invalid_scope', 2), row('policy', 1)]);
  expect(JSON.stringify(summary)).not.toContain('127.0.0.1');
});
