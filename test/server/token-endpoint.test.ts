/** The OAuth side over HTTP: client credentials, scopes granted and refused, JWTs, introspection, audit. */
import Database from 'better-sqlite3';
import { createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { RefusalCount } from '../../lib/model/admin-api';
import { countOf, refusalsWhen } from '../support/refusals';
import { storeSql, testStore } from '../support/test-store';

let server: EmbeddedServer;
let tokenEndpoint: string;
let secrets: Record<string, string>;

interface Metadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri: string;
  introspection_endpoint: string;
}

async function metadata(): Promise<Metadata> {
  return (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Metadata;
}

/** A token response or an OAuth error. */
interface TokenAnswer {
  access_token: string;
  scope: string;
  expires_in: number;
  error: string;
  error_description: string;
}

/** A token request with client_secret_basic (or client_secret_post when `post`). */
async function requestToken(clientId: string, secret: string, scope?: string, post = false) {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope !== undefined) form.set('scope', scope);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (post) {
    form.set('client_id', clientId);
    form.set('client_secret', secret);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  }
  const res = await fetch(tokenEndpoint, { method: 'POST', headers, body: form });
  return { status: res.status, body: (await res.json()) as TokenAnswer };
}

async function introspect(token: string) {
  const res = await fetch((await metadata()).introspection_endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { active: boolean; scope?: string; client_id?: string };
}

/** Checks an ES256 JWT against the published JWKS with node:crypto alone (jose is ESM-only, which jest cannot load). */
async function verifyWithJwks(jwt: string) {
  const [head, body, signature] = jwt.split('.');
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg: string; kid: string };
  const { keys } = (await (await fetch((await metadata()).jwks_uri)).json()) as { keys: { kid: string }[] };
  const jwk = keys.find(k => k.kid === header.kid);
  expect(jwk).toBeDefined();
  const valid = verify('sha256', Buffer.from(`${head}.${body}`), { key: createPublicKey({ key: jwk as never, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  expect(valid).toBe(true);
  return { header, payload: JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown> };
}

beforeAll(async () => {
  // desk holds catalog.read and payment.approve (a conflicting pair): these tests are about scopes, not duties.
  server = await startServer({ policy: { environment: 'dev', severities: { 'SEPARATION-OF-DUTIES': 'off' } } });
  tokenEndpoint = (await metadata()).token_endpoint;
  const { admin } = server;
  const scope = (name: string, implies: string[] = []) =>
    admin.put('scopes', { name, description: `Can ${name}`, risk: 'low', external: false, implies }, name);
  await scope('catalog.read');
  await scope('ticket.comment');
  await scope('ticket.write', ['ticket.comment']);
  await scope('payment.approve');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  await admin.put('roles', { name: 'helpdesk', description: 'Tickets', scopes: ['ticket.write'] }, 'helpdesk');
  await admin.put('roles', { name: 'payer', description: 'Pays', scopes: ['payment.approve'] }, 'payer');
  secrets = {};
  for (const clientId of ['erp', 'desk', 'idle']) {
    const created = await admin.put('clients', { clientId, displayName: clientId, owner: 'team', tokenLifetimeSeconds: 600 } as never, clientId);
    secrets[clientId] = created.clientSecret!;
  }
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }, { clientId: 'desk' }] } as never, 'readers');
  await admin.put('role-bindings', { name: 'desk', role: 'helpdesk', subjects: [{ clientId: 'desk' }] } as never, 'desk');
  await admin.put(
    'role-bindings',
    {
      name: 'payers',
      role: 'payer',
      subjects: [
        { clientId: 'erp', expiresAt: '2000-01-01T00:00:00Z', justification: 'CHG-1' },
        { clientId: 'desk', expiresAt: '2999-01-01T00:00:00Z', justification: 'CHG-2' },
      ],
    } as never,
    'payers',
  );
});
afterAll(() => server.stop());

describe('token endpoint', () => {
  test('serves RFC 8414 metadata naming the token, JWKS and introspection endpoints', async () => {
    const meta = await metadata();
    expect(meta.issuer).toBe(server.url);
    expect(meta.token_endpoint).toBe(`${server.url}/token`);
    expect(meta.introspection_endpoint).toBe(`${server.url}/token/introspection`);
    expect(meta).toMatchObject({ token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] });
  });

  test('grants exactly the requested effective scopes as a signed JWT with the client lifetime', async () => {
    const { status, body } = await requestToken('desk', secrets.desk, 'ticket.comment catalog.read');
    expect(status).toBe(200);
    expect(body.scope).toBe('catalog.read ticket.comment');
    expect(body.expires_in).toBe(600);
    const { header, payload } = await verifyWithJwks(body.access_token);
    expect(header.alg).toBe('ES256');
    expect(payload).toMatchObject({ iss: server.url, client_id: 'desk', scope: 'catalog.read ticket.comment' });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(600);
  });

  test('grants every effective scope, implied ones included, when no scope is requested', async () => {
    const { status, body } = await requestToken('desk', secrets.desk);
    expect(status).toBe(200);
    expect(body.scope).toBe('catalog.read payment.approve ticket.comment ticket.write');
  });

  test('accepts client_secret_post as well as client_secret_basic', async () => {
    const { status, body } = await requestToken('erp', secrets.erp, 'catalog.read', true);
    expect(status).toBe(200);
    expect(body.scope).toBe('catalog.read');
  });

  test('answers client_secret_basic exactly as it answers client_secret_post', async () => {
    const ask = async (post: boolean) => {
      const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'catalog.read', ...(post ? { client_id: 'erp', client_secret: secrets.erp } : {}) });
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (!post) headers.authorization = `Basic ${Buffer.from(`erp:${secrets.erp}`).toString('base64')}`;
      const res = await fetch(tokenEndpoint, { method: 'POST', headers, body: form });
      const body = (await res.json()) as TokenAnswer;
      const { header, payload } = await verifyWithJwks(body.access_token);
      const { jti, iat, exp, ...claims } = payload;
      return {
        status: res.status,
        // A request id is each answer's own (the log line's key); that there is one is what both must share.
        requestId: /^[0-9a-f-]{36}$/.test(res.headers.get('x-request-id') ?? ''),
        headers: [...res.headers].filter(([name]) => !['date', 'content-length', 'x-request-id'].includes(name)),
        body: { ...body, access_token: undefined },
        header,
        claims,
        lifetime: Number(exp) - Number(iat),
        jti: typeof jti === 'string' && jti.length >= 32,
      };
    };
    const basic = await ask(false);
    expect(basic.status).toBe(200);
    expect(basic.requestId).toBe(true);
    expect(basic).toEqual(await ask(true));
  });

  test('fails with invalid_scope when any requested scope is not effective, naming it', async () => {
    const { status, body } = await requestToken('erp', secrets.erp, 'catalog.read ticket.write');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
    expect(body.error_description).toContain('ticket.write');
    expect(body.error_description).not.toContain('catalog.read ');
  });

  test('fails with invalid_scope for a scope whose binding has expired', async () => {
    const { status, body } = await requestToken('erp', secrets.erp, 'payment.approve');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
    expect((await server.admin.effectiveScopes('erp')).scopes).toEqual(['catalog.read']);
    expect(body.error_description).toContain("payment.approve was granted to client 'erp' by binding 'payers', which expired at 2000-01-01T00:00:00Z");
    expect(body.error_description).not.toContain('payment.approve is not granted');
  });

  test('fails with invalid_scope for a client without any grant that asks for a scope', async () => {
    expect((await requestToken('idle', secrets.idle, 'catalog.read')).body.error).toBe('invalid_scope');
  });

  test('fails with unauthorized_client when the client may not use client_credentials; the same client with it gets a token', async () => {
    const portal = { clientId: 'portal', displayName: 'Portal', owner: 'team', grantTypes: ['authorization_code'], redirectUris: ['https://portal.example.com/cb'] };
    const { clientSecret } = await server.admin.put('clients', portal as never, 'portal');
    await server.admin.put('role-bindings', { name: 'portal-readers', role: 'reader', subjects: [{ clientId: 'portal' }] } as never, 'portal-readers');
    try {
      const refused = await requestToken('portal', clientSecret!, 'catalog.read');
      expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'unauthorized_client' });
      expect(refused.body.access_token).toBeUndefined();

      await server.admin.put('clients', { ...portal, grantTypes: ['authorization_code', 'client_credentials'] } as never, 'portal');
      const granted = await requestToken('portal', clientSecret!, 'catalog.read');
      expect({ status: granted.status, scope: granted.body.scope }).toEqual({ status: 200, scope: 'catalog.read' });
    } finally {
      await server.admin.delete('role-bindings', 'portal-readers');
      await server.admin.delete('clients', 'portal');
    }
  });

  test('fails with invalid_client (401) for a wrong secret or an unknown client', async () => {
    const wrong = await requestToken('erp', `${secrets.erp}x`, 'catalog.read');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect((await requestToken('nobody', secrets.erp)).status).toBe(401);
  });

  test('fails with invalid_client once the secret is rotated; the new one works', async () => {
    const before = await requestToken('idle', secrets.idle);
    expect(before.status).toBe(200);
    const rotated = await server.admin.rotateSecret('idle');
    expect(rotated.clientSecret).not.toBe(secrets.idle);
    expect((await requestToken('idle', secrets.idle)).status).toBe(401);
    expect((await requestToken('idle', rotated.clientSecret)).status).toBe(200);
    secrets.idle = rotated.clientSecret;
    const audit = await server.admin.audit({ action: 'rotate-secret', key: 'idle' });
    expect(audit.items).toHaveLength(1);
    expect(JSON.stringify(audit.items)).not.toContain(rotated.clientSecret);
  });

  test('introspection answers active with the scopes, and inactive once the grant is gone', async () => {
    const { body } = await requestToken('erp', secrets.erp, 'catalog.read');
    expect(await introspect(body.access_token)).toMatchObject({ active: true, scope: 'catalog.read', client_id: 'erp' });
    expect(await introspect(`${body.access_token.slice(0, -4)}AAAA`)).toEqual({ active: false });
    expect(await introspect('not-a-token')).toEqual({ active: false });

    await server.admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'desk' }] } as never, 'readers');
    expect(await introspect(body.access_token)).toEqual({ active: false });
    expect((await requestToken('erp', secrets.erp, 'catalog.read')).body.error).toBe('invalid_scope');
    await server.admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }, { clientId: 'desk' }] } as never, 'readers');
  });

  test('introspection answers inactive for tokens obtained before a secret rotation or a delete and re-create', async () => {
    const { body: beforeRotation } = await requestToken('desk', secrets.desk, 'catalog.read');
    expect(await introspect(beforeRotation.access_token)).toMatchObject({ active: true });
    secrets.desk = (await server.admin.rotateSecret('desk')).clientSecret;
    expect(await introspect(beforeRotation.access_token)).toEqual({ active: false });
    const { body: afterRotation } = await requestToken('desk', secrets.desk, 'catalog.read');
    expect(await introspect(afterRotation.access_token)).toMatchObject({ active: true });

    await server.admin.put('scopes', { name: 'budget.read', description: 'Read budgets', risk: 'low', external: false, implies: [] }, 'budget.read');
    await server.admin.put('roles', { name: 'budget', description: 'Budgets', scopes: ['budget.read'] }, 'budget');
    const temp = await server.admin.put('clients', { clientId: 'temp', displayName: 'Temp', owner: 'team' } as never, 'temp');
    await server.admin.put('role-bindings', { name: 'budget', role: 'budget', subjects: [{ clientId: 'temp' }] } as never, 'budget');
    const { body: old } = await requestToken('temp', temp.clientSecret!, 'budget.read');
    await server.admin.delete('role-bindings', 'budget');
    await server.admin.delete('clients', 'temp');
    await server.admin.put('clients', { clientId: 'temp', displayName: 'Temp', owner: 'team' } as never, 'temp');
    await server.admin.put('role-bindings', { name: 'budget', role: 'budget', subjects: [{ clientId: 'temp' }] } as never, 'budget');
    expect(await introspect(old.access_token)).toEqual({ active: false });
  });

  test('fails introspection without client or admin authentication', async () => {
    const res = await fetch((await metadata()).introspection_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'x' }),
    });
    expect(res.status).toBe(401);
    const asClient = await fetch((await metadata()).introspection_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'x', client_id: 'desk', client_secret: secrets.desk }),
    });
    expect(await asClient.json()).toEqual({ active: false });
  });

  test('audits grants, counts refusals without an audit row, and records the last use of each scope', async () => {
    // Its own requests: the test does not lean on what earlier tests asked for (their refusals may share the minute's rows).
    const refused = [
      { endpoint: 'token', clientId: 'desk', reason: 'invalid_scope', source: '127.0.0.1' },
      { endpoint: 'token', clientId: 'erp', reason: 'invalid_client', source: '127.0.0.1' },
    ] satisfies Partial<RefusalCount>[];
    const before = (await server.admin.refusals({ limit: 1000 })).items;
    expect((await requestToken('desk', secrets.desk, 'catalog.read ticket.comment')).status).toBe(200);
    expect((await requestToken('desk', secrets.desk, 'ticket.write')).status).toBe(200);
    expect((await requestToken('desk', secrets.desk, 'po.create')).status).toBe(400);
    expect((await requestToken('erp', `${secrets.erp}x`, 'catalog.read')).status).toBe(401);
    const { items } = await server.admin.audit({ clientId: 'desk', action: 'token.grant' });
    expect(items[items.length - 1]).toMatchObject({ requestedScopes: ['ticket.write'], grantedScopes: ['ticket.write'], reason: null });
    expect((await server.admin.audit({ action: 'token.deny' })).items).toEqual([]);
    const grew = (items: RefusalCount[]) => refused.map(match => countOf(items, match) > countOf(before, match));
    const counted = await refusalsWhen(server.admin, items => grew(items).every(Boolean));
    expect(grew(counted)).toEqual([true, true]);
    const usage = await server.admin.usage('desk');
    expect(usage.map(u => u.scope)).toEqual(expect.arrayContaining(['catalog.read', 'ticket.comment', 'ticket.write']));
    expect(usage.map(u => u.scope)).not.toContain('po.create');
  });
});

describe('a grant whose audit entry the store cannot commit', () => {
  const TRIGGER = 'refuse_token_grants';

  /** Makes the store itself refuse (or take again) every token grant row of the audit log: a commit that fails. */
  async function refuseGrantRows(refuse: boolean): Promise<void> {
    if (testStore() === 'postgres') {
      await storeSql(
        server.dataDir,
        refuse
          ? `CREATE FUNCTION ${TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'token grants refused by the test'; END $$;
             CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON audit FOR EACH ROW WHEN (NEW.action = 'token.grant') EXECUTE FUNCTION ${TRIGGER}();`
          : `DROP TRIGGER ${TRIGGER} ON audit; DROP FUNCTION ${TRIGGER}();`,
      );
      return;
    }
    const db = new Database(join(server.dataDir, 'store.sqlite'));
    try {
      db.pragma('busy_timeout = 5000');
      db.exec(
        refuse
          ? `CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON audit WHEN NEW.action = 'token.grant' BEGIN SELECT RAISE(ABORT, 'token grants refused by the test'); END;`
          : `DROP TRIGGER ${TRIGGER};`,
      );
    } finally {
      db.close();
    }
  }

  test('answers no token, with client_secret_basic or client_secret_post, and tokens again once the store takes grants', async () => {
    const { clientSecret } = await server.admin.put('clients', { clientId: 'audited', displayName: 'audited', owner: 'team' } as never, 'audited');
    await server.admin.put('role-bindings', { name: 'audited-reads', role: 'reader', subjects: [{ clientId: 'audited' }] } as never, 'audited-reads');
    await refuseGrantRows(true);
    try {
      for (const post of [false, true]) {
        const answer = await requestToken('audited', clientSecret!, 'catalog.read', post);
        expect({ post, status: answer.status, error: answer.body.error, token: answer.body.access_token }).toEqual({ post, status: 500, error: 'server_error', token: undefined });
      }
    } finally {
      await refuseGrantRows(false);
    }
    expect((await server.admin.audit({ action: 'token.grant', clientId: 'audited' })).items).toEqual([]);
    const issued = await requestToken('audited', clientSecret!, 'catalog.read');
    expect(issued.status).toBe(200);
    const { payload } = await verifyWithJwks(issued.body.access_token);
    expect((await server.admin.audit({ action: 'token.grant', clientId: 'audited' })).items.map(e => e.key)).toEqual([payload.jti]);
  });
});
