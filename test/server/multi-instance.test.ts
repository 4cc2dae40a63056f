/**
 * Several server instances on one PostgreSQL database serve as one server:
 * what one instance writes, every other one answers at once; concurrent
 * writes through different instances stay serial (If-Match, admission,
 * revisions); a killed instance loses nothing it acknowledged while the
 * others keep serving; a database restart under traffic gives retryable
 * 503s, never a wrong answer, and the instances recover by themselves.
 */
import { randomBytes } from 'node:crypto';
import { AdminApiError } from '../../lib/client/admin-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { Postgres, startPostgres } from '../support/postgres';
import { serverWentAway } from '../support/server-went-away';
import { waitFor } from '../support/wait-for';

const ADMIN_TOKEN = randomBytes(24).toString('base64url');
const scope = (name: string, extra: object = {}) => ({ name, description: `Can ${name}`, risk: 'low', external: false, implies: [], ...extra }) as never;

let pg: Postgres;
let url: string;
let a: EmbeddedServer;
let b: EmbeddedServer;

/** What a load balancer in front of the instances would be: one issuer for all of them. */
const ISSUER = 'http://127.0.0.1:9';

/** An instance on the shared database: through PROCUREMENT_STORE_URL, or (`flag`) the --store option. */
function instance(flag = false): Promise<EmbeddedServer> {
  const args = ['--issuer', ISSUER];
  return flag
    ? startServer({ args: [...args, '--store', url], env: { PROCUREMENT_ADMIN_TOKEN: ADMIN_TOKEN, PROCUREMENT_STORE_URL: '' } })
    : startServer({ args, env: { PROCUREMENT_ADMIN_TOKEN: ADMIN_TOKEN, PROCUREMENT_STORE_URL: url } });
}

beforeAll(async () => {
  pg = await startPostgres();
  url = pg.createDatabase('shared');
  // Started together: both run the migrations, one waits for the other's advisory lock.
  [a, b] = await Promise.all([instance(), instance(true)]);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await pg?.stop();
});

interface TokenAnswer {
  status: number;
  retryAfter: string | null;
  body: { access_token?: string; scope?: string; error?: string };
}

async function token(server: EmbeddedServer, clientId: string, secret: string, scopes?: string): Promise<TokenAnswer> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...(scopes ? { scope: scopes } : {}) }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as TokenAnswer['body'] };
}

async function introspect(server: EmbeddedServer, accessToken: string): Promise<{ active: boolean }> {
  const res = await fetch(`${server.url}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: accessToken }),
  });
  return (await res.json()) as { active: boolean };
}

/** A client `id` holding `scopeName` through a role and a binding, written through `server`; answers its secret. */
async function grantedClient(server: EmbeddedServer, id: string, scopeName: string): Promise<string> {
  await server.admin.put('scopes', scope(scopeName), scopeName);
  await server.admin.put('roles', { name: `${id}-role`, description: 'r', scopes: [scopeName] }, `${id}-role`);
  const { clientSecret } = await server.admin.put('clients', { clientId: id, displayName: id, owner: 'team' } as never, id);
  await server.admin.put('role-bindings', { name: `${id}-binding`, role: `${id}-role`, subjects: [{ clientId: id }] } as never, `${id}-binding`);
  return clientSecret!;
}

const status = (error: unknown) => (error instanceof AdminApiError ? error.status : String(error));

test('both instances run on the database, the one started with --store as the other', () => {
  for (const server of [a, b]) expect(server.stdout()).toMatch(/^store: PostgreSQL at 127\.0\.0\.1:\d+\/shared$/m);
  expect(a.stdout() + a.stderr() + b.stdout() + b.stderr()).not.toContain(ADMIN_TOKEN);
});

test('an admin write through one instance is what a token request on the other answers, at once', async () => {
  const secret = await grantedClient(a, 'erp', 'catalog.read');
  const granted = await token(b, 'erp', secret, 'catalog.read');
  expect([granted.status, granted.body.scope]).toEqual([200, 'catalog.read']);
  // The grant goes through A: B refuses the scope on its very next request.
  await a.admin.delete('role-bindings', 'erp-binding');
  expect((await token(b, 'erp', secret, 'catalog.read')).body.error).toBe('invalid_scope');
  await a.admin.put('role-bindings', { name: 'erp-binding', role: 'erp-role', subjects: [{ clientId: 'erp' }] } as never, 'erp-binding');
  expect((await token(b, 'erp', secret, 'catalog.read')).status).toBe(200);
  // Tokens signed by one instance verify on the other.
  expect(await introspect(a, granted.body.access_token!)).toMatchObject({ active: true });
});

test('a secret rotation or a client deletion through one instance deactivates tokens and secrets on the other', async () => {
  const secret = await grantedClient(b, 'billing', 'invoice.read');
  const issued = (await token(a, 'billing', secret)).body.access_token!;
  expect(await introspect(b, issued)).toMatchObject({ active: true });

  const rotated = await b.admin.rotateSecret('billing');
  expect((await token(a, 'billing', secret)).body.error).toBe('invalid_client');
  expect(await introspect(a, issued)).toEqual({ active: false });
  const fresh = (await token(a, 'billing', rotated.clientSecret!)).body.access_token!;
  expect(await introspect(b, fresh)).toMatchObject({ active: true });

  await a.admin.delete('role-bindings', 'billing-binding');
  await a.admin.delete('clients', 'billing');
  expect(await introspect(b, fresh)).toEqual({ active: false });
  expect((await token(b, 'billing', rotated.clientSecret!)).body.error).toBe('invalid_client');
});

test('concurrent If-Match writes through two instances: exactly one wins each round', async () => {
  await a.admin.put('scopes', scope('ticket.read'), 'ticket.read');
  for (let round = 0; round < 10; round++) {
    const { etag } = (await a.admin.get('scopes', 'ticket.read'))!;
    const outcomes = await Promise.all(
      [a, b].map(server =>
        server.admin.put('scopes', scope('ticket.read', { description: `round ${round} by ${server.url}` }), 'ticket.read', { ifMatch: etag! }).then(
          () => 'won',
          error => status(error),
        ),
      ),
    );
    expect(outcomes.sort()).toEqual([412, 'won']);
  }
});

test('two role bindings that are each allowed but together break separation of duties: only one is stored', async () => {
  await a.admin.put('scopes', scope('po.create'), 'po.create');
  await a.admin.put('scopes', scope('po.approve'), 'po.approve');
  await a.admin.put('roles', { name: 'creator', description: 'r', scopes: ['po.create'] }, 'creator');
  await a.admin.put('roles', { name: 'approver', description: 'r', scopes: ['po.approve'] }, 'approver');
  await a.admin.put('clients', { clientId: 'buyer-bot', displayName: 'Buyer bot', owner: 'team' } as never, 'buyer-bot');
  for (let round = 0; round < 5; round++) {
    const outcomes = await Promise.all(
      [
        [a, 'creator'],
        [b, 'approver'],
      ].map(([server, role]) =>
        (server as EmbeddedServer).admin
          .put('role-bindings', { name: `sod-${role}`, role, subjects: [{ clientId: 'buyer-bot' }] } as never, `sod-${role}`)
          .then(
            () => 'stored',
            error => status(error),
          ),
      ),
    );
    expect(outcomes.sort()).toEqual([422, 'stored']);
    for (const name of ['sod-creator', 'sod-approver']) await a.admin.delete('role-bindings', name);
  }
});

test('revisions stay monotonic and gapless across instances under concurrent writes', async () => {
  const before = (await a.admin.snapshot()).revision;
  const versions = await Promise.all(
    Array.from({ length: 20 }, (_, i) => [a, b][i % 2].admin.put('scopes', scope(`rev.s${i}`), `rev.s${i}`).then(r => Number(r.etag!.replace(/\D/g, '')))),
  );
  expect(new Set(versions).size).toBe(20);
  expect([...versions].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => before + i + 1));
  expect((await b.admin.snapshot()).revision).toBe(before + 20);
});

test('kill -9 of one instance during a burst of writes: the other keeps serving, nothing acknowledged is lost', async () => {
  const secret = await grantedClient(a, 'kill-bot', 'kill.read');
  const acknowledged: string[] = [];
  const unexpected: string[] = [];
  let stop = false;
  const writers = [a, a, b, b].map(async (server, worker) => {
    for (let i = 0; !stop; i++) {
      const name = `burst.w${worker}-${i}`;
      try {
        await server.admin.put('scopes', scope(name), name);
      } catch (error) {
        // Only A going away ends a writer on A; anything else is a failure the test reports.
        if (server !== a || !serverWentAway(error)) unexpected.push(`${worker}: ${String(error)}`);
        return;
      }
      acknowledged.push(name);
    }
  });
  const tokensOnB: number[] = [];
  const tokenTraffic = (async () => {
    while (!stop) tokensOnB.push((await token(b, 'kill-bot', secret)).status);
  })();
  const waitFor = async (count: number) => {
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < count && unexpected.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5));
  };
  await waitFor(30);
  await a.kill9();
  const atKill = acknowledged.length;
  await waitFor(atKill + 30); // B keeps acknowledging writes after A died
  stop = true;
  await Promise.all([...writers, tokenTraffic]);
  expect(unexpected).toEqual([]);
  expect(acknowledged.length).toBeGreaterThanOrEqual(atKill + 30);
  expect(tokensOnB.length).toBeGreaterThan(0);
  expect(tokensOnB.filter(s => s !== 200)).toEqual([]);

  const stored = new Set((await b.admin.list('scopes')).map(s => s.name));
  expect(acknowledged.filter(name => !stored.has(name))).toEqual([]);
  // Every stored write came with its audit entry, in the same transaction.
  const audited = new Set<string>();
  for (let after: string | undefined; ; ) {
    const page = await b.admin.audit({ kind: 'scopes', action: 'create', limit: 1000, ...(after ? { after } : {}) });
    for (const entry of page.items) if (entry.key?.startsWith('burst.')) audited.add(entry.key);
    if (!page.next) break;
    after = page.next;
  }
  expect(audited).toEqual(new Set([...stored].filter(name => name.startsWith('burst.'))));
  await a.restart();
});

test('a database restart under traffic: retryable 503s with Retry-After, never a wrong answer; the instances recover by themselves', async () => {
  const secret = await grantedClient(a, 'restart-bot', 'restart.read');
  const pids = [a.pid, b.pid];
  const wrong: string[] = [];
  const acknowledged: string[] = [];
  let unavailable = 0;
  let served = 0;
  let stop = false;
  const check = (what: string, res: { status: number; retryAfter: string | null }, ok: boolean) => {
    if (res.status === 503 && res.retryAfter !== null && Number(res.retryAfter) > 0) unavailable++;
    else if (!ok) wrong.push(`${what}: ${res.status} ${JSON.stringify(res)}`);
  };
  const tokenTraffic = [a, b].map(async server => {
    while (!stop) {
      const answer = await token(server, 'restart-bot', secret, 'restart.read');
      check('token', answer, answer.status === 200 && answer.body.scope === 'restart.read');
      if (answer.status === 200) served++;
    }
  });
  const writeTraffic = [a, b].map(async (server, worker) => {
    for (let i = 0; !stop; i++) {
      const name = `restart.w${worker}-${i}`;
      const res = await fetch(`${server.url}/admin/v1/scopes/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(scope(name)),
      });
      await res.arrayBuffer();
      check('write', { status: res.status, retryAfter: res.headers.get('retry-after') }, res.status === 201);
      if (res.status === 201) acknowledged.push(name);
    }
  });
  // The database goes away under traffic already being answered, and stays away until an instance has answered a
  // 503 for it (a fixed outage could end before either noticed, on a loaded machine).
  await waitFor(() => acknowledged.length >= 10 && served >= 10, 'writes and tokens answered before the database restart');
  await pg.restart({ immediate: true, whileDown: () => waitFor(() => unavailable > 0, 'a 503 with Retry-After while the database is down') });
  // Recovery: both instances answer tokens again, without being restarted.
  const deadline = Date.now() + 30_000;
  for (const server of [a, b]) {
    while ((await token(server, 'restart-bot', secret, 'restart.read')).status !== 200) {
      if (Date.now() > deadline) throw new Error(`${server.url} did not recover within 30 s of the database restart`);
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
  const afterRecovery = acknowledged.length;
  while (acknowledged.length < afterRecovery + 10 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
  stop = true;
  await Promise.all([...tokenTraffic, ...writeTraffic]);

  expect(wrong).toEqual([]);
  expect(unavailable).toBeGreaterThan(0);
  expect([a.pid, b.pid]).toEqual(pids);
  expect(acknowledged.length).toBeGreaterThanOrEqual(afterRecovery + 10);
  const stored = new Set((await a.admin.list('scopes')).map(s => s.name));
  expect(acknowledged.filter(name => !stored.has(name))).toEqual([]);
});
