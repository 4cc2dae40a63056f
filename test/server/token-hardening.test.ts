/**
 * What stands in front of the token endpoint and introspection, over HTTP
 * against the real server: refusals counted (never audited, never stored as
 * sent), rate limits per source and per client answered with 429 and
 * Retry-After, and the body limit.
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { AdminClient } from '../../lib/client/admin-client';
import { RefusalCount } from '../../lib/model/admin-api';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { countOf, refusalsWhen } from '../support/refusals';
import { storeContents } from '../support/test-store';
import { catalogClient, introspectionRequest, tokenRequest } from '../support/token-requests';

// Each test gets a server of its own: the limits and counters below are the
// server's state, and a test must neither see nor spend another's (a fresh
// server costs less than waiting 5 s for a source's allowance to refill).
describe('with one refused request per 5 s per source allowed (--failure-rate-limit 0.2)', () => {
  let server: EmbeddedServer;
  let secret: string;
  beforeEach(async () => {
    server = await startServer({ args: ['--failure-rate-limit', '0.2'] });
    secret = await catalogClient(server.admin, 'erp');
  });
  afterEach(() => server.stop());

  test('a refused request leaves no audit row and no trace of what it sent: it is counted under unknown', async () => {
    const forgedId = `forged-${randomBytes(6).toString('hex')}`;
    const forgedScope = `scope-${randomBytes(6).toString('hex')}`;
    const auditBefore = (await server.admin.audit({ limit: 1000 })).items.length;
    const answer = await tokenRequest(server.url, { form: { client_id: forgedId, client_secret: 'guess', scope: forgedScope } });
    expect(answer.status).toBe(401);
    const items = await refusalsWhen(server.admin, rows => countOf(rows, { clientId: 'unknown' }) >= 1);
    expect(items).toEqual([
      expect.objectContaining({ endpoint: 'token', clientId: 'unknown', source: '127.0.0.1', reason: 'invalid_client', count: 1 }),
    ]);
    expect((await server.admin.audit({ limit: 1000 })).items.length).toBe(auditBefore);
    expect((await server.admin.audit({ actor: forgedId })).items).toEqual([]);
    const stored = await storeContents(server.dataDir);
    expect(stored.includes(forgedId)).toBe(false);
    expect(stored.includes(forgedScope)).toBe(false);
  });

  test('past the limit, requests naming no registered client get 429 with Retry-After; the client that authenticates still gets every token', async () => {
    // The client's own keep-alive connection, as its process would hold it; it authenticated on it before the flood.
    const clientAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const asClient = (agent = clientAgent) => tokenRequest(server.url, { basic: ['erp', secret], form: { scope: 'catalog.read' } }, agent);
    const unknown = () => tokenRequest(server.url, { basic: [`bot-${randomBytes(4).toString('hex')}`, 'wrong'] });
    try {
      expect((await asClient()).status).toBe(200);
      // The client's own refusals after authenticating are charged to it, not to the address.
      for (let i = 0; i < 3; i++) {
        expect((await tokenRequest(server.url, { basic: ['erp', secret], form: { scope: 'po.create' } }, clientAgent)).status).toBe(400);
      }
      expect((await unknown()).status).toBe(401);
      const limited = await unknown();
      expect(limited).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
      expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(limited.retryAfter)).toBeLessThanOrEqual(5);
      expect(limited.body.error_description).toContain('more than 0.2 requests a second from your address were refused');
      for (let i = 0; i < 5; i++) {
        expect((await asClient()).status).toBe(200);
        expect((await unknown()).status).toBe(429);
      }
      // A new connection naming a registered client waits its turn (one per 1/rate s), and is served, not refused.
      const fresh = new Agent({ keepAlive: false });
      expect((await asClient(fresh)).status).toBe(200);
      // A wrong secret for a registered client still reaches authentication, and is refused as such.
      expect((await tokenRequest(server.url, { basic: ['erp', `${secret}x`] }, fresh)).status).toBe(401);
    } finally {
      clientAgent.destroy();
    }
    const items = await refusalsWhen(server.admin, rows => countOf(rows, { reason: 'rate_limited' }) >= 6);
    expect(countOf(items, { clientId: 'unknown', reason: 'rate_limited' })).toBe(6);
  });

  test('introspection has its own limit: unauthenticated callers past it get 429', async () => {
    const caller = () => introspectionRequest(server.url, { form: { token: 'x', client_id: 'nobody', client_secret: 'wrong' } });
    expect((await caller()).status).toBe(401);
    expect(await caller()).toMatchObject({ status: 429, retryAfter: '5', body: { error: 'rate_limited' } });
    const items = await refusalsWhen(server.admin, rows => countOf(rows, { endpoint: 'introspection' }) >= 2);
    expect(countOf(items, { endpoint: 'introspection', reason: 'invalid_client' })).toBe(1);
    expect(countOf(items, { endpoint: 'introspection', reason: 'rate_limited' })).toBe(1);
  });

  test('the counters need an admin token, and page with next', async () => {
    const read = new AdminClient({ url: server.url, adminToken: (await server.admin.createAdminToken('ci-plan', 'read')).token, maxAttempts: 1 });
    await expect(read.refusals()).rejects.toThrow(/needs the admin role/);
    // Three counters to page through: token invalid_client, token rate_limited, introspection invalid_client.
    expect((await tokenRequest(server.url, { basic: ['nobody', 'wrong'] })).status).toBe(401);
    expect((await tokenRequest(server.url, { basic: ['nobody', 'wrong'] })).status).toBe(429);
    expect((await introspectionRequest(server.url, { form: { token: 'x', client_id: 'nobody', client_secret: 'wrong' } })).status).toBe(401);
    const all = await refusalsWhen(server.admin, rows => rows.length >= 3);
    expect(all.length).toBe(3);
    const pages: RefusalCount[] = [];
    let after: string | undefined;
    do {
      const page = await server.admin.refusals({ limit: 1, ...(after ? { after } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(1);
      pages.push(...page.items);
      after = page.next ?? undefined;
    } while (after);
    expect(pages.slice(0, all.length)).toEqual(all);
    await expect(server.admin.refusals({ after: 'garbage' })).rejects.toThrow(/after must be the 'next' of a previous page/);
    await expect(server.admin.refusals({ limit: 1001 })).rejects.toThrow(/limit must be an integer from 1 to 1000/);
  });
});

describe('with one request a second per client (--client-rate-limit 1) and a 2 KiB body limit', () => {
  let server: EmbeddedServer;
  let secret: string;
  beforeEach(async () => {
    // A clock the test moves: the limits refill by the server's clock.
    server = await startServer({ movableClock: true, settings: { clientRateLimit: 1, tokenBodyLimitBytes: 2048 } });
    secret = await catalogClient(server.admin, 'erp');
  });
  afterEach(() => server.stop());

  test('a client past its limit gets 429 with Retry-After; wrong secrets sent with its id do not spend its allowance', async () => {
    for (let i = 0; i < 5; i++) expect((await tokenRequest(server.url, { basic: ['erp', 'wrong'] })).status).toBe(401);
    expect((await tokenRequest(server.url, { basic: ['erp', secret] })).status).toBe(200);
    const limited = await tokenRequest(server.url, { form: { client_id: 'erp', client_secret: secret } });
    expect(limited).toMatchObject({ status: 429, retryAfter: '1', body: { error: 'rate_limited' } });
    expect(limited.body.error_description).toContain("client 'erp' made more than 1 requests a second");
    // Once as long as Retry-After says has passed on the server's clock, the next request is served.
    await server.advanceClock(Number(limited.retryAfter));
    expect((await tokenRequest(server.url, { basic: ['erp', secret] })).status).toBe(200);
    const items = await refusalsWhen(server.admin, rows => countOf(rows, { reason: 'rate_limited' }) >= 1);
    expect(countOf(items, { clientId: 'erp', reason: 'rate_limited' })).toBe(1);
    expect(countOf(items, { clientId: 'erp', reason: 'invalid_client' })).toBe(5);
  });

  test('introspection limits each client on its own', async () => {
    const introspect = () => introspectionRequest(server.url, { form: { token: 'x', client_id: 'erp', client_secret: secret } });
    expect(await introspect()).toMatchObject({ status: 200, body: { active: false } });
    expect(await introspect()).toMatchObject({ status: 429, retryAfter: '1', body: { error: 'rate_limited' } });
  });

  test('fails with 413 past --token-body-limit, counted as body_too_large', async () => {
    const answer = await tokenRequest(server.url, { form: { client_id: 'someone', client_secret: 'x', scope: 'a'.repeat(3_000) } });
    expect(answer).toMatchObject({ status: 413, body: { error: 'body_too_large', error_description: 'the request body exceeds the limit of 2048 bytes' } });
    const items = await refusalsWhen(server.admin, rows => countOf(rows, { reason: 'body_too_large' }) >= 1);
    // Too large to be read: the client it named is not known, and it is not stored as sent.
    expect(items).toEqual(expect.arrayContaining([expect.objectContaining({ clientId: 'none', reason: 'body_too_large', count: 1 })]));
  });
});

test('--client-rate-limit off and --failure-rate-limit off lift the limits', async () => {
  const server = await startServer({ args: ['--client-rate-limit', 'off', '--failure-rate-limit', 'off'] });
  try {
    const secret = await catalogClient(server.admin, 'erp');
    const answers = [];
    for (let i = 0; i < 150; i++) answers.push((await tokenRequest(server.url, { basic: ['nobody', 'wrong'] })).status);
    for (let i = 0; i < 3; i++) answers.push((await tokenRequest(server.url, { basic: ['erp', secret] })).status);
    expect(answers.filter(status => status === 429)).toEqual([]);
  } finally {
    await server.stop();
  }
});

test('behind --trust-proxy, refusals are counted under the address the proxy appended (IPv6 by its /64)', async () => {
  const server = await startServer({ args: ['--issuer', 'https://auth.example.com', '--trust-proxy'] });
  try {
    for (const forwarded of ['198.51.100.23, 203.0.113.7', '2001:db8:1:2::99']) {
      const res = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwarded },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'wrong' }),
      });
      expect(res.status).toBe(401);
    }
    const items = await refusalsWhen(server.admin, rows => rows.length >= 2);
    expect(items.map(r => r.source).sort()).toEqual(['2001:db8:1:2::/64', '203.0.113.7']);
  } finally {
    await server.stop();
  }
});
