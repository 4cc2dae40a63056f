/**
 * The server's log, read as an operator would: the stderr of a real server
 * after real requests. One JSON object per line; a request id per request,
 * answered in `x-request-id` and found in the request's log lines (a caller's
 * own id kept only when short and plain); no secret that any request carried
 * (client secrets, admin tokens, Authorization headers, client assertions,
 * registration access tokens), even with every request logged (`--log-level
 * debug`); and a flood of refused requests costs a bounded number of lines.
 */
import { randomBytes } from 'node:crypto';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { logLines } from '../support/log-lines';
import { tokenRequest } from '../support/token-requests';
import { waitFor } from '../support/wait-for';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ADMIN_TOKEN = `admin-${randomBytes(24).toString('hex')}`;

/** The requests registerErp makes. */
const ERP_PATHS = ['/admin/v1/scopes/catalog.read', '/admin/v1/roles/reader', '/admin/v1/clients/erp', '/admin/v1/role-bindings/readers'];

async function registerErp(server: EmbeddedServer): Promise<string> {
  await server.admin.put('scopes', { name: 'catalog.read', description: 'Reads the catalog', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await server.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  const secret = (await server.admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp')).clientSecret!;
  await server.admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  return secret;
}

describe('request ids and secrets, with every request logged', () => {
  let server: EmbeddedServer;
  let secret: string;

  beforeAll(async () => {
    server = await startServer({ args: ['--log-level', 'debug'], env: { PROCUREMENT_ADMIN_TOKEN: ADMIN_TOKEN } });
    secret = await registerErp(server);
    // Each line is written once its answer has gone out: a test that reads the log from here on sees none of these.
    const answered = () => logLines(server.stderr()).filter(l => l.msg === 'request answered').map(l => l.path);
    await waitFor(() => ERP_PATHS.every(path => answered().includes(path)), 'the log lines of the requests that registered erp');
  });
  afterAll(() => server?.stop());

  test('each answer carries a request id: a fresh UUID, or the caller\'s own when it is short and plain; the request\'s log line has it', async () => {
    const snapshot = (requestId?: string) =>
      fetch(`${server.url}/admin/v1/snapshot`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(requestId === undefined ? {} : { 'x-request-id': requestId }) } });
    const fresh = (await snapshot()).headers.get('x-request-id')!;
    expect(fresh).toMatch(UUID);
    expect((await snapshot()).headers.get('x-request-id')).not.toBe(fresh);
    expect((await snapshot('trace-7f3a:01.b_c')).headers.get('x-request-id')).toBe('trace-7f3a:01.b_c');
    const longest = 'x'.repeat(64);
    expect((await snapshot(longest)).headers.get('x-request-id')).toBe(longest);
    for (const refused of ['x'.repeat(65), 'has space', '<script>', 'quote"d']) expect((await snapshot(refused)).headers.get('x-request-id')).toMatch(UUID);
    const token = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'x-request-id': 'token-call-1' } });
    expect(token.headers.get('x-request-id')).toBe('token-call-1');

    // Each line is written once its answer has gone out: wait for the last request's two.
    await waitFor(() => logLines(server.stderr()).filter(l => l.reqId === 'token-call-1').length === 2, "the /token request's log lines");
    const lines = logLines(server.stderr());
    expect(lines.filter(l => l.reqId === fresh)).toEqual([expect.objectContaining({ level: 'info', method: 'GET', path: '/admin/v1/snapshot', status: 200, msg: 'request answered' })]);
    expect(lines.filter(l => l.reqId === 'trace-7f3a:01.b_c')).toHaveLength(1);
    // The refused /token request: its refusal and (at debug) its answer, both under its id.
    expect(lines.filter(l => l.reqId === 'token-call-1').map(l => l.msg).sort()).toEqual(['request answered', 'token request refused: invalid_request']);
    expect(JSON.stringify(lines)).not.toContain('x'.repeat(65));
    expect(JSON.stringify(lines)).not.toContain('<script>');
  });

  test('no secret any request carried reaches the log, wherever it was sent', async () => {
    const from = server.stderr().length;
    const tokenLines = () => logLines(server.stderr().slice(from)).filter(l => l.msg === 'request answered' && l.path === '/token').length;
    const readToken = (await server.admin.createAdminToken('log-reader', 'read')).token;
    const assertion = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(40).toString('base64url')}.${randomBytes(40).toString('base64url')}`;
    const registrationToken = `rat-${randomBytes(24).toString('hex')}`;
    const wrongSecret = `wrong-${randomBytes(16).toString('hex')}`;
    const ids: string[] = [];
    const sent = async (res: Response | Promise<Response>) => ids.push((await res).headers.get('x-request-id')!);

    expect((await tokenRequest(server.url, { basic: ['erp', secret] })).status).toBe(200);
    expect((await tokenRequest(server.url, { form: { client_id: 'erp', client_secret: secret } })).status).toBe(200);
    expect((await tokenRequest(server.url, { basic: ['erp', wrongSecret] })).status).toBe(401);
    const asserted = (await tokenRequest(server.url, { form: { client_id: 'erp', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion } })).status;
    expect(asserted).toBeGreaterThanOrEqual(400);
    // Secrets where they do not belong: in query strings and odd headers.
    await sent(fetch(`${server.url}/admin/v1/snapshot?token=${readToken}&registration_access_token=${registrationToken}`, { headers: { authorization: `Bearer ${readToken}` } }));
    await sent(fetch(`${server.url}/admin/v1/clients/erp?client_secret=${secret}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-registration-access-token': registrationToken } }));
    await sent(fetch(`${server.url}/metrics?assertion=${assertion}`, { headers: { authorization: `Bearer ${readToken}` } }));
    await sent(fetch(`${server.url}/admin/v1/${secret}`, { headers: { authorization: `Bearer ${registrationToken}` } }));
    await sent(fetch(`${server.url}/token/introspection`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${readToken}` }));
    // At debug each answer has a line, written once the answer has gone out: wait for them all.
    const logged = (id: string) => server.stderr().slice(from).includes(`"reqId":"${id}"`);
    await waitFor(() => tokenLines() === 4 && ids.every(logged), 'a log line for every request');

    const log = server.stderr();
    const lines = logLines(log.slice(from));
    // Every request above was logged (the refused ones under the endpoint they fell under); in the order their
    // answers finished going out, which under load need not be the order they were sent in.
    const sorted = (pairs: unknown[][]) => pairs.map(pair => JSON.stringify(pair)).sort();
    expect(sorted(lines.filter(l => l.msg === 'request answered').map(l => [l.path, l.status]))).toEqual(
      sorted([
        ['/admin/v1/admin-tokens', 201],
        ['/token', 200],
        ['/token', 200],
        ['/token', 401],
        ['/token', asserted],
        ['/admin/v1/snapshot', 200],
        ['/admin/v1/clients/erp', 200],
        ['/metrics', 200],
        ['/admin/v1/', 401],
        ['/token/introspection', 200],
      ]),
    );
    // ...and none of what they carried.
    const basic = (s: string) => Buffer.from(`erp:${s}`).toString('base64');
    for (const shown of [secret, wrongSecret, ADMIN_TOKEN, readToken, assertion, registrationToken, basic(secret), basic(wrongSecret), 'Bearer', 'Basic']) {
      expect([shown.slice(0, 12), log.includes(shown)]).toEqual([shown.slice(0, 12), false]);
    }
  });
});

test('a flood of refused requests writes a bounded number of lines: per client and reason, the first refusal, then one line with how many more', async () => {
  const server = await startServer({ args: ['--failure-rate-limit', 'off', '--client-rate-limit', 'off'] });
  try {
    await registerErp(server);
    const before = logLines(server.stderr()).length;
    const FLOOD = 600;
    const started = Date.now();
    for (let sent = 0; sent < FLOOD; sent += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (sent + i) % 2 === 0
            ? tokenRequest(server.url, { basic: ['erp', 'not-the-secret'] })
            : tokenRequest(server.url, { basic: [`rogue-${sent + i}`, 'x'] }),
        ),
      );
    }
    // The summary interval is a minute: the whole flood within one or two of them.
    expect(Date.now() - started).toBeLessThan(60_000);
    await server.terminate();
    const lines = logLines(server.stderr()).slice(before);
    const refusals = lines.filter(l => l.endpoint === 'token');
    // Two keys (erp, invalid_client) and (unknown, invalid_client); per interval each has a first line and a summary.
    expect(refusals.length).toBeLessThanOrEqual(2 * 2 * 2);
    for (const clientId of ['erp', 'unknown']) {
      const mine = refusals.filter(l => l.clientId === clientId);
      expect(mine.every(l => l.reason === 'invalid_client')).toBe(true);
      // Every refused request is accounted for: a line of its own, or in a summary's count.
      const accounted = mine.reduce((sum, l) => sum + (typeof l.count === 'number' ? l.count : 1), 0);
      expect([clientId, accounted]).toEqual([clientId, FLOOD / 2]);
    }
    // Nothing else grew with the flood: the rest is start-up, the set-up's admin writes and shutdown.
    expect(lines.length - refusals.length).toBeLessThan(20);
    expect(JSON.stringify(lines)).not.toContain('rogue-');
  } finally {
    await server.stop();
  }
});
