/** The token endpoint's reads: once per store version, the version once per request, never older than the last write. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyHolder } from '../../../lib/server/admission/server-policy';
import { TokenReads } from '../../../lib/server/oauth/token-reads';
import { SqliteStore } from '../../../lib/server/store/sqlite-store';
import { recommendedPolicy } from '../../../lib/policy';

let dir: string;
let store: SqliteStore;
let holder: PolicyHolder;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'token-reads-'));
  store = await SqliteStore.open(dir);
  holder = await PolicyHolder.open(store, 'dev');
  await store.put('scopes', 'catalog.read', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] });
  await store.put('roles', 'reader', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] });
  await store.put('clients', 'erp', { clientId: 'erp', displayName: 'ERP', owner: 'team', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 3600, secretRotationDays: 90 });
  await store.setSecretHash('erp', 'hash-1');
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, counting the reads that go through it. */
function counted() {
  const counts = { version: 0, get: 0, secretHash: 0, policyRecord: 0 };
  const reader = {
    tokenInputsVersion: () => (counts.version++, store.tokenInputsVersion()),
    get: ((kind, key) => (counts.get++, store.get(kind, key))) as SqliteStore['get'],
    secretHash: (clientId: string) => (counts.secretHash++, store.secretHash(clientId)),
    effectiveScopeInput: (clientId: string) => store.effectiveScopeInput(clientId),
    policyRecord: () => (counts.policyRecord++, store.policyRecord()),
  };
  return { counts, reads: new TokenReads(reader, holder) };
}

test('one version read a request however many steps ask, and the store read once per version', async () => {
  const { counts, reads } = counted();
  const request = {};
  const replay = {};
  expect((await reads.client(request, 'erp'))?.secretHash).toBe('hash-1');
  reads.share(request, replay);
  expect((await reads.client(replay, 'erp'))?.client.clientId).toBe('erp');
  expect((await reads.current(replay)).environment).toBe('dev');
  expect(counts).toEqual({ version: 1, get: 1, secretHash: 1, policyRecord: 1 });
  // The next request reads the version again, and nothing else while it stands.
  await reads.client({}, 'erp');
  await reads.current({});
  expect(counts).toEqual({ version: 3, get: 1, secretHash: 1, policyRecord: 1 });
});

test('an object write, a secret change and a policy document each make the next request read afresh', async () => {
  const { counts, reads } = counted();
  expect((await reads.client({}, 'erp'))?.input.roleBindings).toEqual([]);
  await store.put('role-bindings', 'readers', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] });
  expect((await reads.client({}, 'erp'))?.input.roleBindings.map(b => b.name)).toEqual(['readers']);
  // A rotation: the old hash is not served a moment later.
  await store.setSecretHash('erp', 'hash-2');
  expect((await reads.client({}, 'erp'))?.secretHash).toBe('hash-2');
  await store.deleteSecretHash('erp');
  expect((await reads.client({}, 'erp'))?.secretHash).toBeNull();
  expect((await reads.current({})).preset).toBe(true);
  await store.setPolicyDocument(recommendedPolicy('dev', { maxHighRiskGrantDays: 10 }));
  expect((await reads.current({})).preset).toBe(false);
  await store.delete('clients', 'erp');
  expect(await reads.client({}, 'erp')).toBeNull();
  expect(counts.get).toBe(5);
});

test('an id longer than any client id is no client: no read, no place in memory', async () => {
  const { counts, reads } = counted();
  expect(await reads.client({}, 'x'.repeat(65))).toBeNull();
  expect(counts).toEqual({ version: 0, get: 0, secretHash: 0, policyRecord: 0 });
});

test('a failed read is not kept: the next request reads again', async () => {
  let failing = true;
  const reads = new TokenReads(
    {
      tokenInputsVersion: () => store.tokenInputsVersion(),
      get: ((kind, key) => (failing ? Promise.reject(new Error('database away')) : store.get(kind, key))) as SqliteStore['get'],
      secretHash: clientId => store.secretHash(clientId),
      effectiveScopeInput: clientId => store.effectiveScopeInput(clientId),
      policyRecord: () => store.policyRecord(),
    },
    holder,
  );
  await expect(reads.client({}, 'erp')).rejects.toThrow('database away');
  failing = false;
  expect((await reads.client({}, 'erp'))?.client.clientId).toBe('erp');
});
