/**
 * Two control-plane instances on one PostgreSQL store, pushing to the same real downstream (the Debian glewlwyd):
 * their sync passes take turns (a PostgreSQL advisory lock per downstream), and a difference found on the
 * downstream is audited once, not once per instance, though both see it and report it.
 */
import { randomBytes } from 'node:crypto';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { GlewlwydDownstream, startGlewlwydDownstream } from '../support/glewlwyd-downstream';
import { Postgres, startPostgres } from '../support/postgres';

const ADMIN_TOKEN = randomBytes(24).toString('base64url');

let pg: Postgres;
let downstream: GlewlwydDownstream;
let a: EmbeddedServer;
let b: EmbeddedServer;

beforeAll(async () => {
  pg = await startPostgres();
  const url = pg.createDatabase('downstream');
  downstream = await startGlewlwydDownstream();
  const file = downstream.configFile({ reconcileSeconds: 1, drift: 'report' });
  const instance = () => startServer({ args: ['--downstream', file], env: { PROCUREMENT_ADMIN_TOKEN: ADMIN_TOKEN, PROCUREMENT_STORE_URL: url } });
  [a, b] = await Promise.all([instance(), instance()]);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await downstream?.stop();
  await pg?.stop();
});

/** Waits until `server` has finished a pass that started after `since` and that sees `check` hold. */
async function passAfter(server: EmbeddedServer, since: number, check: (status: Awaited<ReturnType<EmbeddedServer['admin']['downstream']>>) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await server.admin.downstream();
    if (status.lastReconcileAt !== null && Date.parse(status.lastReconcileAt) > since && check(status)) return;
    if (Date.now() > deadline) throw new Error(`no such pass after ${new Date(since).toISOString()}: ${JSON.stringify(status)}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

test('a drift both instances find is audited once', async () => {
  await a.admin.put('scopes', { name: 'catalog.read', description: 'Reads', risk: 'low', external: false } as never, 'catalog.read');
  await a.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
  await a.admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'procurement' } as never, 'erp');
  await a.admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');

  const { body } = await downstream.admin('GET', '/client/erp');
  expect((await downstream.admin('PUT', '/client/erp', { ...(body as object), scope: ['catalog.read', 'legacy.read'] })).status).toBe(200);
  const changed = Date.now();
  const drifted = (status: { outOfSync: { clientId: string }[] }) => status.outOfSync.some(c => c.clientId === 'erp');
  await Promise.all([passAfter(a, changed, drifted), passAfter(b, changed, drifted)]);
  // Both instances have seen it; two more passes each would audit it again if they did not share what was audited.
  const seen = Date.now();
  await Promise.all([passAfter(a, seen, drifted), passAfter(b, seen, drifted)]);
  const again = Date.now();
  await Promise.all([passAfter(a, again, drifted), passAfter(b, again, drifted)]);
  const entries = (await a.admin.audit({ action: 'downstream.drift', clientId: 'erp' })).items;
  expect(entries).toEqual([expect.objectContaining({ key: 'erp', before: { scopes: ['catalog.read'] }, after: { scopes: ['catalog.read', 'legacy.read'] } })]);
});
