/** The admin API over HTTP, through the shared AdminClient, against the real server process. */
import { apiError } from '../support/api-error';
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

const scope = (name: string, extra: object = {}) => ({ name, description: `Can ${name}`, risk: 'low', ...extra }) as never;

describe('admin API CRUD', () => {
  describe('on a server of its own', () => {
    // Its lists and snapshots are exact: what the other tests write (in whatever order they run) stays out of them.
    let empty: EmbeddedServer;
    beforeAll(async () => {
      empty = await startServer();
    });
    afterAll(() => empty?.stop());

    test('creates, reads, lists, updates and deletes every kind of object', async () => {
      const { admin } = empty;
      const created = await admin.put('scopes', scope('ticket.comment'), 'ticket.comment');
      expect(created.created).toBe(true);
      expect(created.value).toEqual({ name: 'ticket.comment', description: 'Can ticket.comment', risk: 'low', external: false, implies: [] });
      await admin.put('scopes', scope('ticket.write', { implies: ['ticket.comment'] }), 'ticket.write');
      await admin.put('roles', { name: 'helpdesk', description: 'Answers tickets', scopes: ['ticket.write'] }, 'helpdesk');
      const client = await admin.put('clients', { clientId: 'desk-bot', displayName: 'Desk bot', owner: 'team-desk' } as never, 'desk-bot');
      expect(client.created).toBe(true);
      expect(client.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const binding = await admin.put(
        'role-bindings',
        { name: 'desk', role: 'helpdesk', subjects: [{ clientId: 'desk-bot' }] } as never,
        'desk',
      );
      expect(binding.value.subjects).toEqual([{ clientId: 'desk-bot', expiresAt: null, justification: null }]);

      const read = await admin.get('clients', 'desk-bot');
      expect(read?.value).toEqual(client.value);
      expect(read?.value).not.toHaveProperty('clientSecret');
      expect(read?.etag).toBe(client.etag);
      expect(await admin.get('scopes', 'nothing.here')).toBeNull();

      expect((await admin.list('scopes')).map(s => s.name)).toEqual(['ticket.comment', 'ticket.write']);
      expect(await admin.effectiveScopes('desk-bot')).toMatchObject({ clientId: 'desk-bot', scopes: ['ticket.comment', 'ticket.write'] });

      const updated = await admin.put('roles', { name: 'helpdesk', description: 'Answers tickets', scopes: ['ticket.comment'] }, 'helpdesk');
      expect(updated.created).toBe(false);
      expect(updated.value.scopes).toEqual(['ticket.comment']);

      const snapshot = await admin.snapshot();
      expect(snapshot.revision).toBeGreaterThanOrEqual(6);
      expect(snapshot.roles).toEqual([updated.value]);
      expect(snapshot.roleBindings.map(b => b.name)).toEqual(['desk']);

      expect(await admin.delete('role-bindings', 'desk')).toBe(true);
      expect(await admin.delete('role-bindings', 'desk')).toBe(false);
      for (const [kind, key] of [['roles', 'helpdesk'], ['clients', 'desk-bot'], ['scopes', 'ticket.write'], ['scopes', 'ticket.comment']] as const) {
        expect(await admin.delete(kind, key)).toBe(true);
      }
      expect(await admin.snapshot()).toMatchObject({ scopes: [], roles: [], clients: [], roleBindings: [] });
    });
  });

  test('a PUT of the same body twice answers 200 and changes nothing', async () => {
    const { admin } = server;
    const first = await admin.put('scopes', scope('catalog.read'), 'catalog.read');
    const revision = (await admin.snapshot()).revision;
    const entries = (await admin.audit({ key: 'catalog.read' })).items.length;
    // Same object, fields in another order and defaults spelled out.
    const again = await admin.put('scopes', { implies: [], external: false, risk: 'low', description: 'Can catalog.read', name: 'catalog.read' }, 'catalog.read');
    expect(again.created).toBe(false);
    expect(again.etag).toBe(first.etag);
    expect((await admin.snapshot()).revision).toBe(revision);
    expect((await admin.audit({ key: 'catalog.read' })).items).toHaveLength(entries);
  });

  test('re-putting an existing client keeps its secret and answers none', async () => {
    const { admin } = server;
    const body = { clientId: 'erp-sync', displayName: 'ERP sync', owner: 'team-erp' } as never;
    expect((await admin.put('clients', body, 'erp-sync')).clientSecret).toBeDefined();
    expect((await admin.put('clients', body, 'erp-sync')).clientSecret).toBeUndefined();
  });

  test('fails when If-Match names an older version (412), and succeeds with the current one', async () => {
    const { admin } = server;
    const v1 = await admin.put('scopes', scope('po.read'), 'po.read');
    const v2 = await admin.put('scopes', scope('po.read', { risk: 'medium' }), 'po.read', { ifMatch: v1.etag! });
    const stale = await apiError(admin.put('scopes', scope('po.read', { risk: 'high' }), 'po.read', { ifMatch: v1.etag! }));
    expect(stale.status).toBe(412);
    expect(stale.message).toContain('changed since it was read');
    expect((await admin.get('scopes', 'po.read'))?.value.risk).toBe('medium');
    expect((await apiError(admin.delete('scopes', 'po.read', { ifMatch: v1.etag! }))).status).toBe(412);
    expect(await admin.delete('scopes', 'po.read', { ifMatch: v2.etag! })).toBe(true);
    expect((await apiError(admin.put('scopes', scope('po.read'), 'po.read', { ifMatch: v2.etag! }))).status).toBe(412);
  });

  test('fails when a write names objects that do not exist (422, naming them)', async () => {
    const { admin } = server;
    // catalog.read exists, po.create does not: only the missing one is named, at its place in the sorted set.
    await admin.put('scopes', scope('catalog.read'), 'catalog.read');
    await admin.delete('scopes', 'po.create');
    const error = await apiError(admin.put('roles', { name: 'buyer', description: 'Buys', scopes: ['po.create', 'catalog.read'] }, 'buyer'));
    expect(error.status).toBe(422);
    expect(error.code).toBe('unknown_reference');
    expect(error.message).toContain("scope 'po.create'");
    expect(error.problems.map(p => p.field)).toEqual(['scopes[1]']);
    const binding = await apiError(
      admin.put('role-bindings', { name: 'b', role: 'ghost', subjects: [{ clientId: 'nobody' }] } as never, 'b'),
    );
    expect(binding.status).toBe(422);
    expect(binding.message).toContain("role 'ghost'");
    expect(binding.message).toContain("client 'nobody'");
    expect(await admin.get('roles', 'buyer')).toBeNull();
  });

  test('fails when deleting what something still uses (409, naming the holder)', async () => {
    const { admin } = server;
    await admin.put('scopes', scope('invoice.read'), 'invoice.read');
    await admin.put('scopes', scope('invoice.write', { implies: ['invoice.read'] }), 'invoice.write');
    await admin.put('roles', { name: 'ap-clerk', description: 'Pays', scopes: ['invoice.read'] }, 'ap-clerk');
    await admin.put('clients', { clientId: 'ap-bot', displayName: 'AP bot', owner: 'team-ap' } as never, 'ap-bot');
    await admin.put('role-bindings', { name: 'ap', role: 'ap-clerk', subjects: [{ clientId: 'ap-bot' }] } as never, 'ap');

    const scopeHeld = await apiError(admin.delete('scopes', 'invoice.read'));
    expect(scopeHeld.status).toBe(409);
    expect(scopeHeld.message).toContain("role 'ap-clerk'");
    expect(scopeHeld.message).toContain("scope 'invoice.write'");
    expect((await apiError(admin.delete('roles', 'ap-clerk'))).message).toContain("role binding 'ap'");
    expect((await apiError(admin.delete('clients', 'ap-bot'))).message).toContain("role binding 'ap'");
    expect(await admin.get('scopes', 'invoice.read')).not.toBeNull();
  });

  test('lists in pages sorted by key', async () => {
    const { admin } = server;
    for (const name of ['page.c', 'page.a', 'page.b']) await admin.put('scopes', scope(name), name);
    const res = await fetch(`${server.url}/admin/v1/scopes?limit=2&after=page.`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const page = (await res.json()) as { items: { name: string }[]; next: string | null };
    expect(page.items.map(s => s.name)).toEqual(['page.a', 'page.b']);
    expect(page.next).toBe('page.b');
    expect((await admin.list('scopes', 1)).map(s => s.name)).toEqual((await admin.snapshot()).scopes.map(s => s.name));
  });

  test('records every change in the audit log with its actor (the token name), the caller\'s note, before and after', async () => {
    const { admin } = server;
    await admin.put('scopes', scope('rfq.submit'), 'rfq.submit');
    await admin.put('scopes', scope('rfq.submit', { risk: 'medium' }), 'rfq.submit');
    await admin.delete('scopes', 'rfq.submit');
    const { items } = await admin.audit({ kind: 'scopes', key: 'rfq.submit' });
    expect(items.map(e => [e.action, e.actor, e.actorNote])).toEqual([
      ['create', 'bootstrap', 'test'],
      ['update', 'bootstrap', 'test'],
      ['delete', 'bootstrap', 'test'],
    ]);
    expect(items[1].before).toMatchObject({ risk: 'low' });
    expect(items[1].after).toMatchObject({ risk: 'medium' });
    const paged = await admin.audit({ kind: 'scopes', key: 'rfq.submit', limit: 2 });
    expect(paged.items).toHaveLength(2);
    expect((await admin.audit({ kind: 'scopes', key: 'rfq.submit', after: paged.next! })).items.map(e => e.action)).toEqual(['delete']);
    expect((await admin.audit({ action: 'delete', since: items[2].at })).items.map(e => e.key)).toContain('rfq.submit');
  });

  test('answers /healthz without a token', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });
});
