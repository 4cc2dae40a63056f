/** The token endpoint's per-revision reads of a client: never older than the store's last object write. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientReads } from '../../../lib/server/oauth/client-reads';
import { SqliteStore } from '../../../lib/server/store/sqlite-store';

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-reads-'));
  store = SqliteStore.open(dir);
  await store.put('scopes', 'catalog.read', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] });
  await store.put('roles', 'reader', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] });
  await store.put('clients', 'erp', { clientId: 'erp', displayName: 'ERP', owner: 'team', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 3600, secretRotationDays: 90 });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('reads the store once per revision, and again after any object write', async () => {
  let gets = 0;
  const reads = new ClientReads({
    revision: () => store.revision(),
    get: (kind, key) => (gets++, store.get(kind, key)),
    effectiveScopeInput: clientId => store.effectiveScopeInput(clientId),
  });
  expect((await reads.facts('erp'))?.input.roleBindings).toEqual([]);
  expect((await reads.facts('erp'))?.input.roleBindings).toEqual([]);
  expect(gets).toBe(1);
  await store.put('role-bindings', 'readers', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] });
  expect((await reads.facts('erp'))?.input.roleBindings.map(b => b.name)).toEqual(['readers']);
  await store.delete('clients', 'erp');
  expect(await reads.facts('erp')).toBeNull();
});
