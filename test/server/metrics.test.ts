/**
 * `GET /metrics` on the real server over loopback: who may read it, and that
 * each counter moves by exactly what real token requests and admin writes
 * did (deltas between two scrapes), that an unregistered client id never
 * becomes a label, and that the grant gauges follow the store. Then two
 * ServerMetrics in one process, which must never share a count.
 */
import { randomBytes } from 'node:crypto';
import { ROUTES } from '../../lib/server/admin/router';
import { ServerMetrics } from '../../lib/server/metrics/server-metrics';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { Sample, parseExposition, samplesOf, scrape, valueOf } from '../support/metrics-scrape';
import { tokenRequest } from '../support/token-requests';
import { temporarySqliteStore } from '../support/sqlite-store-fixture';

let server: EmbeddedServer;
let secret: string;
let readToken: string;
/** When erp's grant of the high-risk scope ends: five days after the set-up. */
let approveUntil: string;

const metrics = () => scrape(server.url, readToken);
/** erp's grant of the high-risk scope, until `approveUntil`. */
const approvers = () => ({ name: 'approvers', role: 'approver', subjects: [{ clientId: 'erp', expiresAt: approveUntil, justification: 'CHG-9' }] }) as never;
const token = (scope?: string, credentials: [string, string] = ['erp', secret]) => tokenRequest(server.url, { basic: credentials, form: scope === undefined ? {} : { scope } });
const ISSUED = 'procurement_tokens_issued_total';
const REFUSED = 'procurement_token_refusals_total';
const WRITES = 'procurement_admin_writes_total';

/** Refusals are counted once their answer has gone out (request-guard.ts): scrape until `done` holds, a bounded while. */
async function metricsOnce(done: (samples: Sample[]) => boolean): Promise<Sample[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const samples = await metrics();
    if (done(samples) || Date.now() > deadline) return samples;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Reads the catalog', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await admin.put('scopes', { name: 'po.approve', description: 'Approves orders', risk: 'high', external: false, implies: [] }, 'po.approve');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  await admin.put('roles', { name: 'approver', description: 'Approves', scopes: ['po.approve'] }, 'approver');
  secret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'finance' } as never, 'erp')).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  approveUntil = new Date(Math.floor(Date.now() / 1000) * 1000 + 5 * 86_400_000).toISOString();
  await admin.put('role-bindings', approvers(), 'approvers');
  readToken = (await admin.createAdminToken('prometheus', 'read')).token;
});
afterAll(() => server?.stop());

describe('who may scrape', () => {
  test('no token or an unknown one: 401 with the admin API\'s remedy; a read, write or admin token: 200 in the exposition format', async () => {
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await none.json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') });
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('procurement_');

    const writeToken = (await server.admin.createAdminToken('metrics-writer', 'write')).token;
    for (const presented of [readToken, writeToken, server.adminToken]) {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${presented}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await res.text()).toContain('# TYPE procurement_tokens_issued_total counter');
    }
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${readToken}` } });
    expect(post.status).toBe(405);
  });
});

describe('token counters', () => {
  test('each token issued counts once per scope it carries; a refusal counts under the client and reason, and issues nothing', async () => {
    const before = await metrics();
    expect((await token('catalog.read po.approve')).status).toBe(200);
    // No scope asked: every effective scope.
    expect((await token()).status).toBe(200);
    expect((await token('catalog.read')).status).toBe(200);
    expect((await token('payment.approve')).body.error).toBe('invalid_scope');
    expect((await token('catalog.read', ['erp', 'not-the-secret'])).body.error).toBe('invalid_client');
    const refused = (s: Sample[], reason: string) => valueOf(s, REFUSED, { client_id: 'erp', reason }) - valueOf(before, REFUSED, { client_id: 'erp', reason });
    const after = await metricsOnce(s => refused(s, 'invalid_scope') >= 1 && refused(s, 'invalid_client') >= 1);

    const issued = (scope: string) => valueOf(after, ISSUED, { client_id: 'erp', scope }) - valueOf(before, ISSUED, { client_id: 'erp', scope });
    expect(issued('catalog.read')).toBe(3);
    expect(issued('po.approve')).toBe(2);
    expect(samplesOf(after, ISSUED).map(s => s.labels.scope).sort()).toEqual(['catalog.read', 'po.approve']);
    expect(refused(after, 'invalid_scope')).toBe(1);
    expect(refused(after, 'invalid_client')).toBe(1);
  });

  test('a registered client\'s scope refusals (never granted, withheld by the policy, expired) are 0 from its first scrape on, so that the first refusal is an increase', async () => {
    await server.admin.put('clients', { clientId: 'newcomer', displayName: 'New', owner: 'team' } as never, 'newcomer');
    const samples = await metrics();
    expect(samplesOf(samples, REFUSED).filter(s => s.labels.client_id === 'newcomer')).toEqual([
      { name: REFUSED, labels: { client_id: 'newcomer', reason: 'invalid_scope' }, value: 0 },
      { name: REFUSED, labels: { client_id: 'newcomer', reason: 'policy' }, value: 0 },
      { name: REFUSED, labels: { client_id: 'newcomer', reason: 'expired_grant' }, value: 0 },
    ]);
  });

  test('unregistered client ids, however many, count under the one label value `unknown` and never appear in the exposition', async () => {
    const ids = Array.from({ length: 40 }, () => `rogue-${randomBytes(6).toString('hex')}`);
    const before = await metrics();
    const unknown = (s: Sample[]) => samplesOf(s, REFUSED).filter(x => x.labels.client_id === 'unknown').reduce((sum, x) => sum + x.value, 0);
    for (const id of ids) expect((await token('catalog.read', [id, 'secret'])).status).toBeGreaterThanOrEqual(400);
    const after = await metricsOnce(s => unknown(s) - unknown(before) >= ids.length);
    // Some answered invalid_client, the rest rate_limited once the address's failure allowance ran out: all `unknown`.
    expect(unknown(after) - unknown(before)).toBe(ids.length);
    const registered = (await server.admin.snapshot()).clients.map(c => c.clientId);
    expect(samplesOf(after, REFUSED).filter(s => ![...registered, 'unknown', 'none'].includes(s.labels.client_id))).toEqual([]);
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${readToken}` } })).text();
    for (const id of ids) expect(text).not.toContain(id);
  });
});

describe('admin counters', () => {
  test('every admin route that changes something (not a GET, nor a read-role POST like the admission dry run) names the action it is counted under; no other does', () => {
    expect(ROUTES.filter(r => (r.method !== 'GET' && r.role !== 'read') !== (r.write !== undefined)).map(r => `${r.method} ${r.pattern.join('/')}`)).toEqual([]);
  });

  test('successful writes count by kind and action; a write the policy refuses counts its rule and no write; a 404 counts nothing', async () => {
    const before = await metrics();
    const { admin } = server;
    await admin.put('scopes', { name: 'ticket.read', description: 'Reads tickets', risk: 'low', external: false, implies: [] }, 'ticket.read');
    await admin.put('roles', { name: 'ticketer', description: 'Tickets', scopes: ['ticket.read'] }, 'ticketer');
    await admin.delete('roles', 'ticketer');
    secret = (await admin.rotateSecret('erp')).clientSecret;
    // High risk without an expiry: TIME-BOUND-HIGH-RISK refuses it.
    const refused = await fetch(`${server.url}/admin/v1/role-bindings/forever`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'forever', role: 'approver', subjects: [{ clientId: 'erp' }] }),
    });
    expect(refused.status).toBe(422);
    const missing = await fetch(`${server.url}/admin/v1/roles/nothing-here`, { method: 'DELETE', headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(missing.status).toBe(404);
    const after = await metrics();

    const moved = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(moved(WRITES, { kind: 'scopes', action: 'put' })).toBe(1);
    expect(moved(WRITES, { kind: 'roles', action: 'put' })).toBe(1);
    expect(moved(WRITES, { kind: 'roles', action: 'delete' })).toBe(1);
    expect(moved(WRITES, { kind: 'clients', action: 'rotate-secret' })).toBe(1);
    expect(moved(WRITES, { kind: 'role-bindings', action: 'put' })).toBe(0);
    const total = (s: Sample[], name: string) => samplesOf(s, name).reduce((sum, x) => sum + x.value, 0);
    expect(total(after, WRITES) - total(before, WRITES)).toBe(4);
    expect(moved('procurement_admission_refusals_total', { rule: 'TIME-BOUND-HIGH-RISK' })).toBe(1);
    expect(total(after, 'procurement_admission_refusals_total') - total(before, 'procurement_admission_refusals_total')).toBe(1);
  });
});

describe('grant gauges', () => {
  test('every held scope with its risk; the expiry of a grant that ends; the last token with a scope; nothing for what is no longer held', async () => {
    const asked = Date.now();
    expect((await token('po.approve')).status).toBe(200);
    const samples = await metrics();
    expect(samplesOf(samples, 'procurement_grant_held').map(s => s.labels)).toEqual(
      expect.arrayContaining([
        { client_id: 'erp', scope: 'catalog.read', risk: 'low' },
        { client_id: 'erp', scope: 'po.approve', risk: 'high' },
      ]),
    );
    expect(samplesOf(samples, 'procurement_grant_expiry_timestamp_seconds')).toEqual([
      { name: 'procurement_grant_expiry_timestamp_seconds', labels: { client_id: 'erp', scope: 'po.approve', risk: 'high' }, value: Date.parse(approveUntil) / 1000 },
    ]);
    const used = valueOf(samples, 'procurement_grant_last_used_timestamp_seconds', { client_id: 'erp', scope: 'po.approve' });
    expect(used * 1000).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000);
    expect(used * 1000).toBeLessThanOrEqual(Date.now());

    await server.admin.delete('role-bindings', 'approvers');
    try {
      const later = await metrics();
      for (const name of ['procurement_grant_held', 'procurement_grant_expiry_timestamp_seconds', 'procurement_grant_last_used_timestamp_seconds']) {
        expect(samplesOf(later, name).filter(s => s.labels.scope === 'po.approve')).toEqual([]);
      }
      expect(valueOf(later, 'procurement_grant_held', { client_id: 'erp', scope: 'catalog.read', risk: 'low' })).toBe(1);
    } finally {
      // The set-up's grant, back for the tests that run after this one (the token counters ask for po.approve).
      await server.admin.put('role-bindings', approvers(), 'approvers');
    }
  });
});

describe('two servers in one process', () => {
  const fixture = temporarySqliteStore('all');

  test('each ServerMetrics has its own registry: what one counts, the other never shows', async () => {
    const one = new ServerMetrics(fixture.store, () => new Date());
    const two = new ServerMetrics(fixture.store, () => new Date());
    one.tokenIssued('erp', ['catalog.read']);
    one.tokenRefused('unknown', 'invalid_client');
    two.adminWrite('scopes', 'put');
    const [a, b] = [parseExposition(await one.exposition()), parseExposition(await two.exposition())];
    expect(valueOf(a, ISSUED, { client_id: 'erp', scope: 'catalog.read' })).toBe(1);
    expect(valueOf(a, REFUSED, { client_id: 'unknown', reason: 'invalid_client' })).toBe(1);
    expect(samplesOf(a, WRITES)).toEqual([]);
    expect(samplesOf(b, ISSUED)).toEqual([]);
    expect(samplesOf(b, REFUSED)).toEqual([]);
    expect(valueOf(b, WRITES, { kind: 'scopes', action: 'put' })).toBe(1);
  });
});

describe('a server started with --no-metrics', () => {
  let quiet: EmbeddedServer;
  beforeAll(async () => {
    quiet = await startServer({ args: ['--no-metrics'] });
  });
  afterAll(() => quiet?.stop());

  test('answers /metrics 404 saying why, and still issues tokens', async () => {
    const res = await fetch(`${quiet.url}/metrics`, { headers: { authorization: `Bearer ${quiet.adminToken}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('--no-metrics') });
    const clientSecret = (await quiet.admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'finance' } as never, 'erp')).clientSecret!;
    expect((await tokenRequest(quiet.url, { basic: ['erp', clientSecret] })).status).toBe(200);
  });
});
