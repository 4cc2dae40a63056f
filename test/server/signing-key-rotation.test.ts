/**
 * Token signing keys rotate with overlap (lib/server/signing-keys.ts): the next
 * key is in the JWKS before it signs, the retired key stays until its last
 * token has expired, and tokens of both verify with `jose` against the JWKS
 * meanwhile. The server's clock moves (test/support/server-with-clock.js).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { LIMITS } from '../../lib/model/schemas';
import { KEY_SET_CHECK_INTERVAL_MS, PUBLISH_DELAY_SECONDS } from '../../lib/server/signing-keys';
import { apiError } from '../support/api-error';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { verifyWithJose } from '../support/jose';

const AUDIENCE = 'urn:procurement-scopes:api';

async function setUpClient(server: EmbeddedServer): Promise<string> {
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read the catalog', risk: 'low' } as never, 'catalog.read');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  const secret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team', tokenLifetimeSeconds: 86_400 } as never, 'erp')).clientSecret!;
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  return secret;
}

async function token(server: EmbeddedServer, secret: string): Promise<{ jwt: string; kid: string }> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`erp:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'catalog.read' }),
  });
  const body = (await res.json()) as { access_token: string };
  expect(res.status).toBe(200);
  return { jwt: body.access_token, kid: (JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString()) as { kid: string }).kid };
}

async function jwksKids(server: EmbeddedServer): Promise<string[]> {
  const { keys } = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
  expect(keys.every(k => k.d === undefined)).toBe(true);
  return keys.map(k => k.kid).sort();
}

const verify = (server: EmbeddedServer, jwts: string[]) => verifyWithJose(`${server.url}/jwks`, server.url, AUDIENCE, jwts);

describe('rotation with overlap', () => {
  let server: EmbeddedServer;
  let secret: string;
  beforeEach(async () => {
    server = await startServer({ movableClock: true });
    secret = await setUpClient(server);
  });
  afterEach(() => server.stop());

  test('the next key is published before it signs; tokens of both keys verify during the overlap; the retired key leaves the JWKS after its last token expires', async () => {
    const before = await token(server, secret);
    const [first] = await server.admin.signingKeys();
    expect(first).toMatchObject({ kid: before.kid, state: 'active', removeAt: null });

    const rotation = await server.admin.rotateSigningKey();
    const next = rotation.next;
    expect(next.state).toBe('next');
    expect(Date.parse(next.activatesAt) - Date.parse(next.createdAt)).toBe(PUBLISH_DELAY_SECONDS.default * 1000);
    expect(await jwksKids(server)).toEqual([before.kid, next.kid].sort());
    // Published, not signing yet.
    const duringDelay = await token(server, secret);
    expect(duringDelay.kid).toBe(before.kid);

    await server.advanceClock(PUBLISH_DELAY_SECONDS.default + 1);
    const after = await token(server, secret);
    expect(after.kid).toBe(next.kid);
    expect(await jwksKids(server)).toEqual([before.kid, next.kid].sort());
    expect(await verify(server, [before.jwt, duringDelay.jwt, after.jwt])).toEqual([
      { ok: true, kid: before.kid, error: null },
      { ok: true, kid: before.kid, error: null },
      { ok: true, kid: next.kid, error: null },
    ]);
    expect((await server.admin.signingKeys()).map(k => [k.kid, k.state])).toEqual([
      [before.kid, 'retired'],
      [next.kid, 'active'],
    ]);

    // The retired key stays until the longest token lifetime after it stopped signing, plus the check interval.
    const removeAt = Date.parse((await server.admin.signingKeys()).find(k => k.kid === before.kid)!.removeAt!);
    expect(removeAt - Date.parse(next.activatesAt)).toBe(LIMITS.tokenLifetimeSeconds.max * 1000 + KEY_SET_CHECK_INTERVAL_MS);
    await server.advanceClock(LIMITS.tokenLifetimeSeconds.max - 60);
    expect(await jwksKids(server)).toEqual([before.kid, next.kid].sort());
    await server.advanceClock(60 + KEY_SET_CHECK_INTERVAL_MS / 1000);
    expect(await jwksKids(server)).toEqual([next.kid]);
    const [old, current] = await verify(server, [before.jwt, after.jwt]);
    expect(old).toMatchObject({ ok: false, error: expect.stringContaining('ERR_JWKS_NO_MATCHING_KEY') });
    expect(current.ok).toBe(true);
    expect(await server.admin.signingKeys()).toEqual([expect.objectContaining({ kid: next.kid, state: 'active' })]);
  });

  test('fails when a rotation comes before the last one\'s key signs, saying when it may; bad delays are refused naming the bounds', async () => {
    const { next } = await server.admin.rotateSigningKey(600);
    const refused = await apiError(server.admin.rotateSigningKey());
    expect(refused.status).toBe(409);
    expect(refused.message).toContain(`'${next.kid}' from the last rotation is published but only signs from ${next.activatesAt}`);
    for (const bad of [-1, 1.5, PUBLISH_DELAY_SECONDS.max + 1, '60']) {
      const error = await apiError(server.admin.rotateSigningKey(bad as number));
      expect(error.status).toBe(400);
      expect(error.message).toContain(`publishDelaySeconds must be a whole number of seconds from 0 to ${PUBLISH_DELAY_SECONDS.max}`);
    }
    await server.advanceClock(601);
    expect((await server.admin.rotateSigningKey(0)).next.state).toBe('active');
    const entries = (await server.admin.audit({ action: 'rotate-signing-key' })).items;
    expect(entries.map(e => [e.actor, e.key])).toEqual([
      ['bootstrap', next.kid],
      ['bootstrap', expect.any(String)],
    ]);
  });

  test('fails when the token lacks the admin role', async () => {
    const { token: readToken } = await server.admin.createAdminToken('reader', 'read');
    const reader = new AdminClient({ url: server.url, adminToken: readToken, maxAttempts: 1 });
    expect((await reader.signingKeys()).length).toBe(1);
    expect((await apiError(reader.rotateSigningKey())).status).toBe(403);
  });
});

test('a second instance on the same store publishes a rotation made by the first within the check interval, and signs with the new key once it activates', async () => {
  const first = await startServer();
  const second = await startServer({ dataDir: first.dataDir });
  try {
    const secret = await setUpClient(first);
    const { next } = await first.admin.rotateSigningKey(0);
    const seenBy = Date.now() + KEY_SET_CHECK_INTERVAL_MS + 10_000; // the bound, and time for a loaded machine
    let kids = await jwksKids(second);
    while (!kids.includes(next.kid) && Date.now() < seenBy) {
      await new Promise(resolve => setTimeout(resolve, 200));
      kids = await jwksKids(second);
    }
    expect(kids).toContain(next.kid);
    expect((await token(second, secret)).kid).toBe(next.kid);
  } finally {
    await second.stop();
    await first.stop();
  }
});

test('a signing-key.json of an older release becomes the store\'s first key: tokens it signed keep verifying, and the file is gone', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'legacy-key-'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  writeFileSync(join(dataDir, 'signing-key.json'), JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }), { mode: 0o600 });
  const server = await startServer({ dataDir });
  try {
    expect(existsSync(join(dataDir, 'signing-key.json'))).toBe(false);
    expect(server.stderr()).toContain('moved the token signing key from');
    expect(await jwksKids(server)).toEqual([kid]);
    expect((await token(server, await setUpClient(server))).kid).toBe(kid);
    await server.restart();
    expect(await jwksKids(server)).toEqual([kid]);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
