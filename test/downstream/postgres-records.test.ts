/**
 * The control plane's records of the clients it created downstream, on a real PostgreSQL store (the
 * downstream_clients table, schema step 6): they survive a restart of the control plane, so that it
 * neither loses a client it created nor creates it twice, and keeps pushing to it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { Rfc7592Downstream, requestToken, startRfc7592Downstream } from '../support/rfc7592-downstream';
import { stopTestPostgres, useStore } from '../support/test-store';

useStore('postgres');

let downstream: Rfc7592Downstream;
let control: EmbeddedServer;

beforeAll(async () => {
  downstream = await startRfc7592Downstream(['catalog.read', 'rfq.submit']);
  const file = downstream.configFile({ reconcileSeconds: 1 });
  control = await startServer({ args: ['--downstream', file] });
});
afterAll(async () => {
  await control?.stop();
  await downstream?.stop();
  await stopTestPostgres();
});

test('a client created downstream is still known after a restart of the control plane, and still pushed to', async () => {
  for (const name of ['catalog.read', 'rfq.submit']) await control.admin.put('scopes', { name, description: name, risk: 'low', external: false, implies: [] } as never, name);
  await control.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
  await control.admin.put('roles', { name: 'bidder', description: 'Bids', scopes: ['rfq.submit'] } as never, 'bidder');
  const created = await control.admin.put('clients', { clientId: 'pg-bot', displayName: 'pg-bot', owner: 'procurement' } as never, 'pg-bot');
  await control.admin.put('role-bindings', { name: 'pg-reads', role: 'reader', subjects: [{ clientId: 'pg-bot' }] } as never, 'pg-reads');
  const token = (scope: string) => requestToken(`${downstream.issuer}/token`, created.downstreamClientId!, created.clientSecret!, scope);
  expect(await token('catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });

  await control.restart();
  await control.admin.put('role-bindings', { name: 'pg-bids', role: 'bidder', subjects: [{ clientId: 'pg-bot' }] } as never, 'pg-bids');
  expect(await token('catalog.read rfq.submit')).toMatchObject({ status: 200, scopes: ['catalog.read', 'rfq.submit'] });
  expect(await control.admin.downstream()).toMatchObject({ inSync: true, pending: [], drift: [] });
  // On PostgreSQL indeed: the data directory holds no SQLite store.
  expect(existsSync(join(control.dataDir, 'store.sqlite'))).toBe(false);
});
