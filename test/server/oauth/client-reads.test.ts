/** The token endpoint's per-revision reads of a client: never older than the store's last object write. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientReads } from '../../../lib/server/oauth/client-reads';
import { SqliteStore } from '../../../lib/server/store/sqlite-store';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'client-reads-'));
  store = SqliteStore.open(dir);
  store.put('scopes', 'catalog.read', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] });
  store.put('roles', 'reader', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] });
  store.put('clients', 'erp', { clientId: 'erp', displayName: 'ERP', owner: 'team', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 3600, secretRotationDays: 90 });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('reads the store once per revision, and again after any object write', () => {
  const reads = new ClientReads(store);
  const get = jest.spyOn(store, 'get');
  expect(reads.facts('erp')?.input.roleBindings).toEqual([]);
  expect(reads.facts('erp')?.input.roleBindings).toEqual([]);
  expect(get).toHaveBeenCalledTimes(1);
  store.put('role-bindings', 'readers', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] });
  expect(reads.facts('erp')?.input.roleBindings.map(b => b.name)).toEqual(['readers']);
  store.delete('clients', 'erp');
  expect(reads.facts('erp')).toBeNull();
});
