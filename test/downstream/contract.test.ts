/**
 * The downstream contract: one suite, run against every kind of token issuer the control plane can drive,
 * each a real server in a process of its own (the rfc7592 kind: unmodified node-oidc-provider; the glewlwyd
 * kind: the Debian glewlwyd with a private database; the embedded default: our own token endpoint). The control plane is the real `procurement-scopes server`, driven through
 * its admin API as the Terraform provider drives it. Granted scopes are always read from the issued token:
 * some servers reject a request for a scope the client lacks, others narrow it, so nothing is assumed.
 *
 * Times measured here (apply to in sync, expiresAt to refusal, hand-made drift to revert) are printed as
 * `measured:` lines; docs/downstreams.md quotes them.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { apiError } from '../support/api-error';
import { GlewlwydDownstream, startGlewlwydDownstream } from '../support/glewlwyd-downstream';
import { IssuedToken, Rfc7592Downstream, requestToken, startRfc7592Downstream } from '../support/rfc7592-downstream';

const SCOPES = ['catalog.read', 'rfq.submit', 'ticket.comment'];
const RECONCILE_SECONDS = 5;

/** What the suite needs of one kind of issuer. */
interface Issuer {
  kind: string;
  control: EmbeddedServer;
  tokenEndpoint: string;
  /** The status of a token request by a client the issuer no longer has. */
  unknownClientStatus: number;
  /** A hand-made change on the downstream, by someone else than the control plane; undefined where there is none. */
  addScopeByHand?(clientId: string, scope: string): Promise<void>;
  /** Stops and starts the server that issues the tokens. */
  stopIssuer(): Promise<void>;
  startIssuer(): Promise<void>;
  close(): Promise<void>;
}

async function rfc7592Issuer(): Promise<Issuer> {
  const downstream: Rfc7592Downstream = await startRfc7592Downstream(SCOPES);
  const file = downstream.configFile({ reconcileSeconds: RECONCILE_SECONDS, drift: 'revert' });
  const control = await startServer({ args: ['--downstream', file] });
  const metadata = (await (await fetch(`${downstream.issuer}/.well-known/oauth-authorization-server`)).json()) as { token_endpoint: string };
  return {
    kind: 'rfc7592',
    control,
    tokenEndpoint: metadata.token_endpoint,
    unknownClientStatus: 401,
    // Someone holding the client's registration access token (RFC 7592) widens its scope on the server itself.
    addScopeByHand: async (clientId, scope) => {
      const { state } = registrationOf(control, clientId);
      const { token, uri } = JSON.parse(state) as { token: string; uri: string };
      const current = (await (await fetch(uri, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
      for (const field of ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at']) delete current[field];
      const response = await fetch(uri, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...current, scope: `${current.scope} ${scope}` }),
      });
      expect(response.status).toBe(200);
    },
    stopIssuer: () => downstream.terminate(),
    startIssuer: () => downstream.start(),
    close: async () => {
      await control.stop();
      await downstream.stop();
    },
  };
}

async function glewlwydIssuer(): Promise<Issuer> {
  const downstream: GlewlwydDownstream = await startGlewlwydDownstream();
  const file = downstream.configFile({ reconcileSeconds: RECONCILE_SECONDS, drift: 'revert' });
  const control = await startServer({ args: ['--downstream', file] });
  return {
    kind: 'glewlwyd',
    control,
    tokenEndpoint: `${downstream.config.apiUrl}/${downstream.config.plugin}/token`,
    unknownClientStatus: 403,
    // An administrator widens the client's scope list in glewlwyd's admin API.
    addScopeByHand: async (clientId, scope) => {
      const { body } = await downstream.admin('GET', `/client/${clientId}`);
      const current = body as { scope: string[] };
      expect((await downstream.admin('PUT', `/client/${clientId}`, { ...current, scope: [...current.scope, scope] })).status).toBe(200);
    },
    stopIssuer: () => downstream.terminate(),
    startIssuer: () => downstream.start(),
    close: async () => {
      await control.stop();
      await downstream.stop();
    },
  };
}

async function embeddedIssuer(): Promise<Issuer> {
  const control = await startServer();
  return {
    kind: 'embedded',
    control,
    get tokenEndpoint() {
      return `${control.url}/token`;
    },
    unknownClientStatus: 401,
    stopIssuer: () => control.terminate(),
    startIssuer: () => control.restart(),
    close: () => control.stop(),
  };
}

/** The control plane's record of a client on the downstream, read from its store as an operator could. */
function registrationOf(control: EmbeddedServer, clientId: string): { remote_id: string; state: string } {
  const db = new Database(join(control.dataDir, 'store.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT remote_id, state FROM downstream_clients WHERE client_id = ?').get(clientId) as { remote_id: string; state: string };
  } finally {
    db.close();
  }
}

/** Polls `check` every 100 ms until it holds; answers the milliseconds it took, or fails after `withinMs`. */
async function until(what: string, withinMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

function holds(token: IssuedToken, scope: string): boolean {
  return token.scopes?.includes(scope) ?? false;
}

describe.each([
  ['rfc7592', rfc7592Issuer],
  ['glewlwyd', glewlwydIssuer],
  ['embedded', embeddedIssuer],
])('the %s issuer', (kind, start) => {
  let issuer: Issuer;
  let admin: () => AdminClient;
  let id: string;
  let secret: string;
  const token = (scope: string) => requestToken(issuer.tokenEndpoint, id, secret, scope);

  beforeAll(async () => {
    issuer = await start();
    admin = () => issuer.control.admin;
    for (const name of SCOPES) await admin().put('scopes', { name, description: `Can ${name}`, risk: 'low', external: false, implies: [] }, name);
    await admin().put('roles', { name: 'reader', description: 'Reads catalogs', scopes: ['catalog.read'] }, 'reader');
    await admin().put('roles', { name: 'bidder', description: 'Submits RFQs', scopes: ['rfq.submit'] }, 'bidder');
    await admin().put('roles', { name: 'commenter', description: 'Comments', scopes: ['ticket.comment'] }, 'commenter');
  });
  afterAll(() => issuer.close());

  const BINDINGS = { 'buyer-reads': 'reader', 'buyer-bids': 'bidder', 'buyer-comments': 'commenter' };
  type Binding = keyof typeof BINDINGS;
  const bind = (name: Binding) => admin().put('role-bindings', { name, role: BINDINGS[name], subjects: [{ clientId: 'buyer-bot' }] } as never, name);

  async function createBuyerBot(): Promise<void> {
    const created = await admin().put('clients', { clientId: 'buyer-bot', displayName: 'Buyer bot', owner: 'procurement' } as never, 'buyer-bot');
    id = created.downstreamClientId ?? 'buyer-bot';
    secret = created.clientSecret!;
  }

  /**
   * Each test's starting point, whatever ran before it (the tests run in random order): buyer-bot registered
   * (again, if a test deleted it) and bound by exactly `bindings`. Tests that stop the issuer or change the policy
   * undo that themselves.
   */
  async function given(...bindings: Binding[]): Promise<void> {
    if (!(await admin().snapshot()).clients.some(client => client.clientId === 'buyer-bot')) await createBuyerBot();
    for (const name of Object.keys(BINDINGS) as Binding[]) {
      if (bindings.includes(name)) await bind(name);
      else await admin().delete('role-bindings', name);
    }
  }

  test('create: the client answers with the credentials of the issuer, and the issuer holds it when the apply returns', async () => {
    for (const name of Object.keys(BINDINGS)) await admin().delete('role-bindings', name);
    await admin().delete('clients', 'buyer-bot');
    const started = Date.now();
    await createBuyerBot();
    await bind('buyer-reads');
    const applied = Date.now() - started;
    if (kind === 'rfc7592') expect(id).not.toBe('buyer-bot');
    // No wait: the writes answered only once the issuer held them.
    expect(await token('catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
    const status = await admin().downstream();
    expect(status).toMatchObject({ kind, inSync: true, pending: [] });
    // None since the create began (the restart test, when it ran before, left its own failures in the recent list).
    expect(status.failures.filter(failure => Date.parse(failure.at) >= started)).toEqual([]);
    process.stdout.write(`measured: ${kind}: two admin writes (client, binding) to in sync: ${applied} ms\n`);
  });

  test('a scope the client was not granted is refused (rejected or narrowed away)', async () => {
    await given('buyer-reads');
    const refused = await token('rfq.submit');
    expect(holds(refused, 'rfq.submit')).toBe(false);
    const mixed = await token('catalog.read rfq.submit');
    expect(holds(mixed, 'rfq.submit')).toBe(false);
  });

  test('change: a new binding allows its scope, a removed one takes its scope away', async () => {
    await given('buyer-reads');
    await bind('buyer-bids');
    expect(await token('rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });
    await admin().delete('role-bindings', 'buyer-reads');
    expect(holds(await token('catalog.read'), 'catalog.read')).toBe(false);
    expect(await token('rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });
  });

  test('expiry: the issuer stops issuing a scope within 5 s of its expiresAt, with no write in between', async () => {
    await given('buyer-bids');
    const expiresAt = new Date(Date.now() + 4_000);
    await admin().put(
      'role-bindings',
      { name: 'buyer-comments', role: 'commenter', subjects: [{ clientId: 'buyer-bot', expiresAt: expiresAt.toISOString().replace(/\.\d+Z$/, 'Z') }] } as never,
      'buyer-comments',
    );
    const deadline = new Date(expiresAt.toISOString().replace(/\.\d+Z$/, 'Z'));
    expect(await token('ticket.comment')).toMatchObject({ status: 200, scopes: ['ticket.comment'] });
    await until('the scope refused after its expiresAt', deadline.getTime() - Date.now() + 5_000, async () => !holds(await token('ticket.comment'), 'ticket.comment'));
    const late = Date.now() - deadline.getTime();
    expect(late).toBeLessThanOrEqual(5_000);
    process.stdout.write(`measured: ${kind}: expiresAt to refusal: ${late} ms\n`);
    expect(await token('rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });
  });

  test('hand-made drift on the issuer is found, audited and reverted within reconcileSeconds + 5 s', async () => {
    if (!issuer.addScopeByHand) return expect(issuer.kind).toBe('embedded'); // The embedded server has no second way in.
    await given('buyer-bids');
    await issuer.addScopeByHand('buyer-bot', 'catalog.read');
    const changed = Date.now();
    expect(await token('catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
    const took = await until('the drift reverted', (RECONCILE_SECONDS + 5) * 1000, async () => !holds(await token('catalog.read'), 'catalog.read'));
    process.stdout.write(`measured: ${kind}: hand-made drift to revert: ${Date.now() - changed} ms (${took} ms of polling)\n`);
    const { items: entries } = await admin().audit({ action: 'downstream.drift' });
    expect(entries.at(-1)).toMatchObject({ key: 'buyer-bot', before: { scopes: ['rfq.submit'] }, after: { scopes: ['catalog.read', 'rfq.submit'] }, reason: expect.stringContaining('reverted') });
    expect((await admin().downstream()).drift.at(-1)).toMatchObject({ clientId: 'buyer-bot', expected: ['rfq.submit'], found: ['catalog.read', 'rfq.submit'], action: 'reverted' });
    expect(await token('rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });
  });

  test('the issuer stopped and started again: nothing lost; a write meanwhile fails, stays pending, and is pushed when it is back', async () => {
    await given('buyer-bids');
    await issuer.stopIssuer();
    try {
      if (issuer.kind !== 'embedded') {
        const refusal = await apiError(bind('buyer-reads'));
        expect(refusal).toMatchObject({ status: 502, code: 'downstream_not_synced' });
        expect(refusal.message).toMatch(/still to push: set buyer-bot/);
        const status = await admin().downstream();
        expect(status).toMatchObject({ inSync: false, pending: [{ clientId: 'buyer-bot', change: 'set', scopes: ['catalog.read', 'rfq.submit'] }] });
        expect(status.failures.at(-1)!.error).toMatch(/could not/);
      }
    } finally {
      await issuer.startIssuer();
    }
    if (issuer.kind !== 'embedded') {
      await until('back in sync', 40_000, async () => (await admin().downstream()).inSync);
    } else {
      expect(await token('rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });
      await bind('buyer-reads');
    }
    expect(await token('catalog.read rfq.submit')).toMatchObject({ status: 200, scopes: ['catalog.read', 'rfq.submit'] });
  });

  test('a policy change that withholds scopes stops the issuer issuing them when the write returns; undoing it gives them back', async () => {
    await given('buyer-reads', 'buyer-bids');
    await admin().putPolicy({ environment: 'dev', conflictingScopeSets: [['catalog.read', 'rfq.submit']] });
    try {
      expect(holds(await token('catalog.read'), 'catalog.read')).toBe(false);
      expect(holds(await token('rfq.submit'), 'rfq.submit')).toBe(false);
    } finally {
      await admin().deletePolicy();
    }
    expect(await token('catalog.read rfq.submit')).toMatchObject({ status: 200, scopes: ['catalog.read', 'rfq.submit'] });
  });

  test('delete: the client is gone from the issuer and its credentials fail', async () => {
    await given('buyer-reads', 'buyer-bids');
    for (const binding of ['buyer-reads', 'buyer-bids', 'buyer-comments']) await admin().delete('role-bindings', binding);
    await admin().delete('clients', 'buyer-bot');
    const gone = await token('rfq.submit');
    expect(gone.scopes).toBeNull();
    expect(gone.status).toBe(issuer.unknownClientStatus);
    expect(await admin().downstream()).toMatchObject({ inSync: true, pending: [] });
  });
});
