/**
 * GET /metrics of a control plane pushing to a real downstream (unmodified node-oidc-provider as the rfc7592
 * kind): `procurement_downstream_in_sync` follows the push (1 in sync, 0 while the downstream is down and a change
 * waits, 1 again once it is back), `procurement_downstream_pending` counts what waits, and
 * `procurement_downstream_drift_total` counts a hand-made change found on the downstream, from 0. The names are
 * the ones deploy/prometheus/alerts.yml alerts on.
 */
import { apiError } from '../support/api-error';
import { controlPlaneWithDownstream } from '../support/downstream-fixture';
import { setScopeByHand } from '../support/rfc7592-downstream';

const fixture = controlPlaneWithDownstream(['catalog.read', 'rfq.submit'], { reconcileSeconds: 1 });

/** The value of one series of the scrape, or undefined when it is absent. */
async function sample(series: string): Promise<number | undefined> {
  const response = await fetch(`${fixture.control.url}/metrics`, { headers: { authorization: `Bearer ${fixture.control.adminToken}` } });
  expect(response.status).toBe(200);
  const line = (await response.text()).split('\n').find(l => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 30 s; ${JSON.stringify(await fixture.control.admin.downstream())}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

const IN_SYNC = 'procurement_downstream_in_sync{downstream="rfc7592"}';
const PENDING = 'procurement_downstream_pending{downstream="rfc7592"}';
const DRIFT = 'procurement_downstream_drift_total{downstream="rfc7592"}';

test('in sync, pending and drift follow the real downstream', async () => {
  const { admin } = fixture.control;
  await admin.put('scopes', { name: 'catalog.read', description: 'Reads', risk: 'low', external: false } as never, 'catalog.read');
  await admin.put('scopes', { name: 'rfq.submit', description: 'Bids', risk: 'low', external: false } as never, 'rfq.submit');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
  await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'procurement' } as never, 'erp');
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  expect(await sample(IN_SYNC)).toBe(1);
  expect(await sample(PENDING)).toBe(0);
  expect(await sample(DRIFT)).toBe(0);

  // Someone holding the registration access token widens the client on the server itself: drift, reverted and counted.
  await setScopeByHand(fixture.control.dataDir, 'erp', 'catalog.read rfq.submit');
  await until('the drift is counted', async () => (await sample(DRIFT)) === 1);
  await until('reverted and in sync', async () => (await sample(IN_SYNC)) === 1);

  // Down: the change waits, and the scrape says so.
  await fixture.downstream.terminate();
  expect((await apiError(admin.delete('role-bindings', 'readers'))).code).toBe('downstream_not_synced');
  expect(await sample(IN_SYNC)).toBe(0);
  expect(await sample(PENDING)).toBe(1);
  await fixture.downstream.start();
  await until('back in sync', async () => (await sample(IN_SYNC)) === 1);
  expect(await sample(PENDING)).toBe(0);
});
