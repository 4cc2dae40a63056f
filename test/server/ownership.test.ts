/**
 * Ownership on the server: the manager id recorded at create, required to
 * change or delete, taken over only by an explicit adopt (import), and an
 * override for direct admin users that the audit log keeps. A refused write
 * changes nothing: store and audit are compared exactly.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { AdminApiError, AdminClient } from '../../lib/client/admin-client';
import { managerDigest } from '../../lib/model/ownership';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { storeContents, storeSql, testStore } from '../support/test-store';
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
    expect(await admin.manager('scopes', 'po.read')).toEqual({ digest: managerDigest(A.id), label: A.label, since: expect.any(String) });
    expect((await admin.snapshot()).managers?.scopes['po.read']).toMatchObject({ digest: managerDigest(A.id) });

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
    expect(adopted).toEqual({ digest: managerDigest(B.id), label: B.label, since: expect.any(String) });
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
    expect(await admin.manager('scopes', 'po.approve')).toMatchObject({ digest: managerDigest(A.id) });
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

describe('the manager id is a secret of the workspace that holds it', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  /** The raw answers of the snapshot and the manager endpoint to a token of `role`. */
  async function answers(role: 'read' | 'write' | 'admin', key: string): Promise<string> {
    const token = role === 'admin' ? server.adminToken : (await server.admin.createAdminToken(`${role}-${key}`, role)).token;
    const get = async (path: string) => (await fetch(`${server.url}/admin/v1/${path}`, { headers: { authorization: `Bearer ${token}` } })).text();
    return (await get('snapshot')) + (await get(`scopes/${key}/manager`));
  }

  test('is never answered: read and write tokens see neither the id nor the label; an admin sees the label, never the id', async () => {
    await server.admin.put('scopes', scope('po.owned'), 'po.owned', { manager: A });
    for (const role of ['read', 'write'] as const) {
      const text = await answers(role, 'po.owned');
      expect({ role, id: text.includes(A.id), label: text.includes(A.label), managed: text.includes('"since"') }).toEqual({ role, id: false, label: false, managed: true });
    }
    const text = await answers('admin', 'po.owned');
    expect({ id: text.includes(A.id), label: text.includes(A.label) }).toEqual({ id: false, label: true });
    // Its manager still changes it with the id; without it, only an override does.
    expect((await server.admin.put('scopes', scope('po.owned', 'Changed'), 'po.owned', { manager: A })).value.description).toBe('Changed');
    await expect(server.admin.put('scopes', scope('po.owned', 'Taken'), 'po.owned', { manager: B })).rejects.toMatchObject({ status: 409, code: 'not_manager' });
  });

  test('is stored as a digest: the store holds no manager id, whether recorded at create or at adopt', async () => {
    await server.admin.put('scopes', scope('po.kept'), 'po.kept', { manager: A });
    await server.admin.adopt('scopes', 'po.kept', B);
    const contents = await storeContents(server.dataDir);
    expect({ a: contents.includes(A.id), b: contents.includes(B.id) }).toEqual({ a: false, b: false });
    await server.admin.delete('scopes', 'po.kept', { manager: B });
  });
});

/**
 * A store of the release that kept manager ids as they came (`ageStore` puts A's id back in clear on catalog.list
 * and the schema version before the digests) is migrated at start: the id is hashed, and still works.
 */
async function expectDigestsAfterMigration(server: EmbeddedServer, ageStore: () => Promise<void>): Promise<void> {
  await server.kill9();
  await ageStore();
  expect(await storeContents(server.dataDir)).toContain(A.id);
  await server.restart();
  expect(await storeContents(server.dataDir)).not.toContain(A.id);
  await expect(server.admin.put('scopes', scope('catalog.list', 'Taken'), 'catalog.list', { manager: B })).rejects.toMatchObject({ status: 409, code: 'not_manager' });
  expect((await server.admin.put('scopes', scope('catalog.list', 'Listed'), 'catalog.list', { manager: A })).value.description).toBe('Listed');
}

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
      expect(await server.admin.manager('scopes', 'catalog.list')).toMatchObject({ digest: managerDigest(A.id) });
      await expectDigestsAfterMigration(server, async () => {
        const db = new Database(join(server.dataDir, 'store.sqlite'));
        db.prepare(`UPDATE objects SET manager = ? WHERE key = 'catalog.list'`).run(A.id);
        db.exec(`UPDATE meta SET value = '5' WHERE name = 'schema_version'`);
        db.close();
      });
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
      await server.admin.put('scopes', scope('catalog.list'), 'catalog.list', { manager: A });
      await expectDigestsAfterMigration(server, () => storeSql(server.dataDir, `UPDATE objects SET manager = '${A.id}' WHERE key = 'catalog.list'; UPDATE meta SET value = '5' WHERE name = 'schema_version'`));
    } finally {
      await server.stop();
    }
  });
}
