/**
 * The control plane's records of the clients it created downstream, on a real PostgreSQL store (the
 * downstream_clients table, schema step 6): they survive a restart of the control plane, so that it
 * neither loses a client it created nor creates it twice, and keeps pushing to it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneWithDownstream } from '../support/downstream-fixture';
import { requestToken } from '../support/rfc7592-downstream';
import { stopTestPostgres, useStore } from '../support/test-store';

useStore('postgres');

const fixture = controlPlaneWithDownstream(['catalog.read', 'rfq.submit'], { reconcileSeconds: 1 });
afterAll(() => stopTestPostgres());

test('a client created downstream is still known after a restart of the control plane, and still pushed to', async () => {
  for (const name of ['catalog.read', 'rfq.submit']) await fixture.control.admin.put('scopes', { name, description: name, risk: 'low', external: false, implies: [] } as never, name);
  await fixture.control.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
  await fixture.control.admin.put('roles', { name: 'bidder', description: 'Bids', scopes: ['rfq.submit'] } as never, 'bidder');
  const created = await fixture.control.admin.put('clients', { clientId: 'pg-bot', displayName: 'pg-bot', owner: 'procurement' } as never, 'pg-bot');
  await fixture.control.admin.put('role-bindings', { name: 'pg-reads', role: 'reader', subjects: [{ clientId: 'pg-bot' }] } as never, 'pg-reads');
  const token = (scope: string) => requestToken(`${fixture.downstream.issuer}/token`, created.downstreamClientId!, created.clientSecret!, scope);
  expect(await token('catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });

  await fixture.control.restart();
  await fixture.control.admin.put('role-bindings', { name: 'pg-bids', role: 'bidder', subjects: [{ clientId: 'pg-bot' }] } as never, 'pg-bids');
  expect(await token('catalog.read rfq.submit')).toMatchObject({ status: 200, scopes: ['catalog.read', 'rfq.submit'] });
  expect(await fixture.control.admin.downstream()).toMatchObject({ inSync: true, pending: [], drift: [] });
  // On PostgreSQL indeed: the data directory holds no SQLite store.
  expect(existsSync(join(fixture.control.dataDir, 'store.sqlite'))).toBe(false);
});
