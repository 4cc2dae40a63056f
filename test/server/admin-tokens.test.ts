/** Named admin tokens with roles, against the real server process: who may do what, revocation, audit, storage. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { MAX_ACTIVE_ADMIN_TOKENS } from '../../lib/server/admin-tokens';
import { apiError } from '../support/api-error';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { storeContents } from '../support/test-store';

const scope = (name: string) => ({ name, description: `Can ${name}`, risk: 'low' }) as never;

/**
 * The server most tests share, and its starting point: each test adds tokens of its own names, so that it passes
 * alone and in any order. A test that needs a fresh server, or leaves one unusable for others (the bootstrap token
 * revoked, every token slot taken), gets its own from `onFreshServer`.
 */
let server: EmbeddedServer;
beforeAll(async () => {
  server = await startServer();
  await server.admin.put('scopes', scope('catalog.read'), 'catalog.read');
  await server.admin.put('clients', { clientId: 'reader-bot', displayName: 'Reader', owner: 'team' } as never, 'reader-bot');
});
afterAll(() => server.stop());

async function onFreshServer(test: (fresh: EmbeddedServer) => Promise<void>): Promise<void> {
  const fresh = await startServer();
  try {
    await test(fresh);
  } finally {
    await fresh.stop();
  }
}

const clientWith = (adminToken: string, actor = 'test', on = server) => new AdminClient({ url: on.url, adminToken, actor, maxAttempts: 1 });

describe('admin tokens', () => {
  test('the configured token of a fresh server is the bootstrap admin token', () =>
    onFreshServer(async fresh => {
      expect(await fresh.admin.listAdminTokens()).toEqual([{ name: 'bootstrap', role: 'admin', createdAt: expect.any(String), createdBy: null, revokedAt: null }]);
    }));

  test('a created token is shown once: listing shows its name and role, never the token', async () => {
    const created = await server.admin.createAdminToken('shown-once', 'read');
    expect(created).toMatchObject({ name: 'shown-once', role: 'read', createdBy: 'bootstrap', revokedAt: null });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await server.admin.listAdminTokens();
    expect(listed.find(t => t.name === 'shown-once')).toEqual({ name: 'shown-once', role: 'read', createdAt: created.createdAt, createdBy: 'bootstrap', revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  test('a read token reads everything a plan, a review and a drift check need, and cannot write (403, saying what to use)', async () => {
    const read = clientWith((await server.admin.createAdminToken('ci-plan', 'read')).token);
    expect((await read.snapshot()).scopes.map(s => s.name)).toContain('catalog.read');
    expect(await read.get('scopes', 'catalog.read')).not.toBeNull();
    expect(await read.list('scopes')).not.toHaveLength(0);
    await read.usage();
    await read.audit();
    await read.effectiveScopes('reader-bot');

    const put = await apiError(read.put('scopes', scope('po.create'), 'po.create'));
    expect(put.status).toBe(403);
    expect(put.code).toBe('insufficient_role');
    expect(put.message).toContain('a read token cannot apply changes');
    expect(put.message).toContain("the token 'ci-plan' has read; use a write or admin token");
    expect((await apiError(read.delete('scopes', 'catalog.read'))).status).toBe(403);
    expect((await apiError(read.rotateSecret('reader-bot'))).status).toBe(403);
    expect((await apiError(read.listAdminTokens())).status).toBe(403);
    expect(await server.admin.get('scopes', 'po.create')).toBeNull();
    expect(await server.admin.get('scopes', 'catalog.read')).not.toBeNull();
  });

  test('a write token applies but cannot manage tokens', async () => {
    const write = clientWith((await server.admin.createAdminToken('ci-apply', 'write')).token);
    await write.put('scopes', scope('po.read'), 'po.read');
    expect((await write.rotateSecret('reader-bot')).clientSecret).toBeDefined();
    // One at a time: a refusal that arrived before the loop awaited it would be an unhandled rejection.
    for (const refused of [() => write.createAdminToken('sneaky', 'admin'), () => write.listAdminTokens(), () => write.revokeAdminToken('ci-plan')]) {
      const error = await apiError(refused());
      expect(error.status).toBe(403);
      expect(error.message).toContain('a write token cannot manage the policy or admin tokens');
      expect(error.message).toContain('use an admin token');
    }
    expect((await server.admin.listAdminTokens()).map(t => t.name)).not.toContain('sneaky');
  });

  test('the audit log names the token that made each change; x-actor is only a note beside it', async () => {
    const write = clientWith((await server.admin.createAdminToken('release-bot', 'write')).token, 'bootstrap');
    await write.put('scopes', scope('rfq.read'), 'rfq.read');
    const { items } = await server.admin.audit({ key: 'rfq.read' });
    expect(items.map(e => [e.action, e.actor, e.actorNote])).toEqual([['create', 'release-bot', 'bootstrap']]);
    const created = (await server.admin.audit({ action: 'create-admin-token', key: 'release-bot' })).items;
    expect(created.map(e => [e.actor, e.after])).toEqual([['bootstrap', { name: 'release-bot', role: 'write' }]]);
  });

  test('a revoked token fails (401) from the next request on, and its name is never reused', async () => {
    const created = await server.admin.createAdminToken('short-lived', 'write');
    const client = clientWith(created.token);
    await client.snapshot();
    await server.admin.revokeAdminToken('short-lived');
    const refused = await apiError(client.snapshot());
    expect(refused.status).toBe(401);
    expect(refused.message).toContain('unknown or revoked');
    expect((await server.admin.listAdminTokens()).find(t => t.name === 'short-lived')?.revokedAt).toEqual(expect.any(String));
    const reuse = await apiError(server.admin.createAdminToken('short-lived', 'write'));
    expect([reuse.status, reuse.message]).toEqual([409, expect.stringContaining('names are never reused')]);
    expect((await apiError(server.admin.revokeAdminToken('short-lived'))).status).toBe(404);
    const revoked = (await server.admin.audit({ action: 'revoke-admin-token', key: 'short-lived' })).items;
    expect(revoked.map(e => e.actor)).toEqual(['bootstrap']);
  });

  test('fails when a name or role is not valid, naming the field', async () => {
    const name = await apiError(server.admin.createAdminToken('Not A Name', 'read'));
    expect([name.status, name.message]).toEqual([400, expect.stringContaining("got 'Not A Name'")]);
    const role = await apiError(server.admin.createAdminToken('good-name', 'owner' as never));
    expect([role.status, role.message]).toEqual([400, 'role must be one of read, write, admin, got "owner"']);
    await server.admin.createAdminToken('named-once', 'read');
    const duplicate = await apiError(server.admin.createAdminToken('named-once', 'read'));
    expect([duplicate.status, duplicate.message]).toEqual([409, expect.stringContaining('already exists')]);
  });

  test('the last active admin token cannot be revoked; the bootstrap token can once another admin exists, and stays revoked after a restart', () =>
    onFreshServer(async fresh => {
      const last = await apiError(fresh.admin.revokeAdminToken('bootstrap'));
      expect([last.status, last.message]).toEqual([409, expect.stringContaining('create another admin token before revoking it')]);
      const ownerToken = (await fresh.admin.createAdminToken('platform-admin', 'admin')).token;
      await clientWith(ownerToken, 'test', fresh).revokeAdminToken('bootstrap');
      expect((await apiError(fresh.admin.snapshot())).status).toBe(401);
      await fresh.restart();
      expect((await apiError(fresh.admin.snapshot())).status).toBe(401);
      expect(fresh.stderr()).toContain('the bootstrap admin token');
      expect((await clientWith(ownerToken, 'test', fresh).listAdminTokens()).find(t => t.name === 'bootstrap')?.revokedAt).toEqual(expect.any(String));
    }));

  test('the store keeps digests, never tokens; the server never prints a token', async () => {
    const created = await server.admin.createAdminToken('digest-check', 'read');
    const stored = await storeContents(server.dataDir);
    expect(stored).not.toContain(created.token);
    expect(stored).toContain(createHash('sha256').update(created.token).digest('hex'));
    expect(server.stdout() + server.stderr()).not.toContain(created.token);
  });

  test(`refuses more than ${MAX_ACTIVE_ADMIN_TOKENS} active tokens`, () =>
    onFreshServer(async ({ admin }) => {
      // The bootstrap token is the first.
      for (let i = 1; i < MAX_ACTIVE_ADMIN_TOKENS; i++) await admin.createAdminToken(`bulk-${i}`, 'read');
      const error = await apiError(admin.createAdminToken('one-too-many', 'read'));
      expect([error.status, error.message]).toEqual([409, expect.stringContaining(`already ${MAX_ACTIVE_ADMIN_TOKENS} active admin tokens`)]);
      await admin.revokeAdminToken('bulk-1');
      await admin.createAdminToken('one-too-many', 'read');
    }));

  test('configuring a different bootstrap token replaces the old one, and the audit log says so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
    try {
      const first = await startServer({ dataDir, env: { PROCUREMENT_ADMIN_TOKEN: 'first-bootstrap-token-0123' } });
      await first.stop();
      const second = await startServer({ dataDir, env: { PROCUREMENT_ADMIN_TOKEN: 'second-bootstrap-token-0123' } });
      try {
        const old = new AdminClient({ url: second.url, adminToken: 'first-bootstrap-token-0123', maxAttempts: 1 });
        expect((await apiError(old.snapshot())).status).toBe(401);
        const replaced = await second.admin.audit({ action: 'replace-admin-token' });
        expect(replaced.items.map(e => [e.actor, e.key])).toEqual([['server configuration', 'bootstrap']]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
