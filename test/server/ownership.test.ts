/**
 * Ownership on the server: the manager id recorded at create, required to
 * change or delete, taken over only by an explicit adopt (import), and an
 * override for direct admin users that the audit log keeps. A refused write
 * changes nothing: store and audit are compared exactly.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { AdminApiError, AdminClient } from '../../lib/client/admin-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { storeSql, testStore } from '../support/test-store';
import { SCHEMA_VERSION } from '../../lib/server/store/schema';

const scope = (name: string, description = `Can ${name}`) => ({ name, description, risk: 'low', external: false, implies: [] }) as never;
const A = { id: 'manager-a-0123456789', label: 'terraform in /stacks/a' };
const B = { id: 'manager-b-0123456789', label: 'terraform in /stacks/b' };

/** The admin API's refusal: an AdminApiError with this status and a message holding `fragment`. */
const refused = (status: number, fragment: string) =>
  expect.objectContaining({ name: 'AdminApiError', status, message: expect.stringContaining(fragment) }) as AdminApiError;

async function everything(admin: AdminClient) {
  return { snapshot: await admin.snapshot(), audit: (await admin.audit({ limit: 1000 })).items };
}

describe('ownership of server objects', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  test('a create records its manager; only that manager changes or deletes the object', async () => {
    const { admin } = server;
    await admin.put('scopes', scope('po.read'), 'po.read', { manager: A });
    expect(await admin.manager('scopes', 'po.read')).toMatchObject({ id: A.id, label: A.label });
    expect((await admin.snapshot()).managers?.scopes['po.read']).toMatchObject({ id: A.id });

    const before = await everything(admin);
    await expect(admin.put('scopes', scope('po.read'), 'po.read', { manager: B })).rejects.toMatchObject({
      status: 409,
      code: 'not_manager',
      message: expect.stringMatching(new RegExp(`scope 'po.read' is managed by ${A.label} .*terraform import <address> po.read`)),
    });
    await expect(admin.put('scopes', scope('po.read', 'Changed'), 'po.read')).rejects.toEqual(refused(409, 'x-ownership-override'));
    await expect(admin.delete('scopes', 'po.read', { manager: B })).rejects.toEqual(refused(409, 'forget it there with `terraform state rm <address>`'));
    await expect(admin.delete('scopes', 'po.read')).rejects.toEqual(refused(409, "scope 'po.read' is managed by"));
    expect(await everything(admin)).toEqual(before);

    const updated = await admin.put('scopes', scope('po.read', 'Read orders'), 'po.read', { manager: A });
    expect(updated.value.description).toBe('Read orders');
    expect(await admin.delete('scopes', 'po.read', { manager: A })).toBe(true);
    expect((await admin.snapshot()).managers?.scopes).toEqual({});
  });

  test('objects without a manager stay writable without one, and a create with a manager id never adopts them', async () => {
    const { admin } = server;
    await admin.put('scopes', scope('po.list'), 'po.list');
    await admin.put('scopes', scope('po.list', 'Listed'), 'po.list');
    expect(await admin.manager('scopes', 'po.list')).toBeNull();
    const before = await everything(admin);
    await expect(admin.put('scopes', scope('po.list', 'Listed'), 'po.list', { manager: A })).rejects.toEqual(
      refused(409, "scope 'po.list' exists and no Terraform resource manages it"),
    );
    expect(await everything(admin)).toEqual(before);
    expect(await admin.delete('scopes', 'po.list')).toBe(true);
  });

  test('adopt (import) takes the object over: the previous manager can neither change nor delete it', async () => {
    const { admin } = server;
    await admin.put('scopes', scope('rfq.read'), 'rfq.read', { manager: A });
    const adopted = await admin.adopt('scopes', 'rfq.read', B);
    expect(adopted).toMatchObject({ id: B.id, label: B.label });
    await expect(admin.delete('scopes', 'rfq.read', { manager: A })).rejects.toEqual(refused(409, `managed by ${B.label}`));
    expect(await admin.adopt('scopes', 'rfq.read', B)).toEqual(adopted); // idempotent
    const audit = (await admin.audit({ key: 'rfq.read', action: 'adopt' })).items;
    expect(audit.map(e => [e.before, e.after])).toEqual([[{ manager: A.label, since: expect.any(String) }, { manager: B.label }]]);
    await expect(admin.adopt('scopes', 'rfq.none', B)).rejects.toEqual(refused(404, "scope 'rfq.none' does not exist"));
    await admin.delete('scopes', 'rfq.read', { manager: B });
  });

  test('an override changes a managed object without its id, keeps the manager and the reason in the audit log', async () => {
    const { admin } = server;
    await admin.put('scopes', scope('po.approve'), 'po.approve', { manager: A });
    await admin.put('scopes', scope('po.approve', 'Emergency fix'), 'po.approve', { overrideReason: 'INC-42 break glass' });
    expect(await admin.manager('scopes', 'po.approve')).toMatchObject({ id: A.id });
    const [entry] = (await admin.audit({ key: 'po.approve', action: 'update' })).items;
    expect(entry.reason).toBe('INC-42 break glass');
    await admin.delete('scopes', 'po.approve', { overrideReason: 'INC-42 cleanup' });
    expect((await admin.audit({ key: 'po.approve', action: 'delete' })).items[0].reason).toBe('INC-42 cleanup');
  });

  test('fails when an ownership header is malformed, naming the header', async () => {
    const { admin } = server;
    await expect(admin.put('scopes', scope('po.bad'), 'po.bad', { manager: { id: 'short' } })).rejects.toEqual(refused(400, 'x-manager must be 16 to 64'));
    await expect(admin.put('scopes', scope('po.bad'), 'po.bad', { manager: { id: A.id, label: 'x'.repeat(201) } })).rejects.toEqual(
      refused(400, 'x-manager-label must be one line of at most 200 characters'),
    );
    await expect(admin.put('scopes', scope('po.bad'), 'po.bad', { overrideReason: 'x'.repeat(201) })).rejects.toEqual(
      refused(400, 'x-ownership-override must be a written reason'),
    );
    expect(await admin.get('scopes', 'po.bad')).toBeNull();
  });
});

// One migration history for both stores (schema.ts): SQLite data directories of earlier releases, PostgreSQL schemas of later ones.
if (testStore() === 'sqlite') {
  test('a data directory of the release before ownership opens, keeps its objects unmanaged and writable, and is migrated once', async () => {
    const server = await startServer();
    try {
      await server.admin.put('scopes', scope('catalog.read'), 'catalog.read');
      await server.kill9();
      // The layout of the release before ownership: no manager columns, no audit actor note, no secrets counter, no schema version.
      const db = new Database(join(server.dataDir, 'store.sqlite'));
      for (const column of ['manager', 'manager_label', 'managed_since']) db.exec(`ALTER TABLE objects DROP COLUMN ${column}`);
      db.exec('ALTER TABLE audit DROP COLUMN actor_note');
      for (const trigger of ['inserted', 'updated', 'deleted']) db.exec(`DROP TRIGGER client_secrets_${trigger}`);
      db.exec(`DELETE FROM meta WHERE name IN ('schema_version', 'secrets')`);
      db.close();

      await server.restart();
      expect((await server.admin.snapshot()).scopes.map(s => s.name)).toEqual(['catalog.read']);
      expect(await server.admin.manager('scopes', 'catalog.read')).toBeNull();
      await server.admin.put('scopes', scope('catalog.read', 'Read the catalog'), 'catalog.read');
      await server.admin.put('scopes', scope('catalog.list'), 'catalog.list', { manager: A });
      await server.restart();
      expect(await server.admin.manager('scopes', 'catalog.list')).toMatchObject({ id: A.id });
      const version = new Database(join(server.dataDir, 'store.sqlite'), { readonly: true });
      expect(version.prepare(`SELECT value FROM meta WHERE name = 'schema_version'`).get()).toEqual({ value: String(SCHEMA_VERSION) });
      version.close();
    } finally {
      await server.stop();
    }
  });
} else {
  test('a PostgreSQL store at a newer schema version than this release is refused at start, and left as it is', async () => {
    const server = await startServer();
    try {
      await server.admin.put('scopes', scope('catalog.read'), 'catalog.read');
      await server.kill9();
      const release = String(SCHEMA_VERSION);
      await storeSql(server.dataDir, `UPDATE meta SET value = '99' WHERE name = 'schema_version'`);
      await expect(server.restart()).rejects.toThrow(/schema version 99, newer than this server's \d+: run the newer release/);
      await storeSql(server.dataDir, `UPDATE meta SET value = '${release}' WHERE name = 'schema_version'`);
      await server.restart();
      expect((await server.admin.snapshot()).scopes.map(s => s.name)).toEqual(['catalog.read']);
    } finally {
      await server.stop();
    }
  });
}
