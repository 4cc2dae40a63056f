/**
 * The scheduler, alone: with a reconcile interval of an hour, only the scheduler can make the downstream stop
 * issuing a scope when a grant or a policy exception expires. Real processes: the control plane and unmodified
 * node-oidc-provider.
 */
import { controlPlaneWithDownstream } from '../support/downstream-fixture';
import { requestToken } from '../support/rfc7592-downstream';

const fixture = controlPlaneWithDownstream(['catalog.read', 'rfq.submit'], { reconcileSeconds: 3600 });

beforeAll(async () => {
  for (const name of ['catalog.read', 'rfq.submit']) await fixture.control.admin.put('scopes', { name, description: name, risk: 'low', external: false, implies: [] } as never, name);
  await fixture.control.admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
  await fixture.control.admin.put('roles', { name: 'bidder', description: 'Bids', scopes: ['rfq.submit'] } as never, 'bidder');
});

/** A whole second at least `ms` from now, as RFC 3339 without fractions. */
function secondsFromNow(ms: number): { at: Date; text: string } {
  const at = new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
  return { at, text: at.toISOString().replace('.000Z', 'Z') };
}

/** Polls until the client gets no token for `scope`; fails past `deadline`. Answers how long after `from` it came. */
async function refusedBy(token: (scope: string) => ReturnType<typeof requestToken>, scope: string, from: Date, deadline: number): Promise<number> {
  for (;;) {
    if ((await token(scope)).scopes === null) return Date.now() - from.getTime();
    if (Date.now() > deadline) throw new Error(`${scope} still issued ${Date.now() - from.getTime()} ms after ${from.toISOString()}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

test('a grant stops being issued within 5 s of its expiresAt', async () => {
  const created = await fixture.control.admin.put('clients', { clientId: 'temp-bot', displayName: 'temp-bot', owner: 'procurement' } as never, 'temp-bot');
  const token = (scope: string) => requestToken(`${fixture.downstream.issuer}/token`, created.downstreamClientId!, created.clientSecret!, scope);
  const expiry = secondsFromNow(4_000);
  await fixture.control.admin.put('role-bindings', { name: 'temp-reads', role: 'reader', subjects: [{ clientId: 'temp-bot', expiresAt: expiry.text }] } as never, 'temp-reads');
  expect(await token('catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  const late = await refusedBy(token, 'catalog.read', expiry.at, expiry.at.getTime() + 5_000);
  expect(late).toBeGreaterThanOrEqual(0);
});

test('a policy exception that expires withholds its scopes within 5 s, with no write in between', async () => {
  const created = await fixture.control.admin.put('clients', { clientId: 'duty-bot', displayName: 'duty-bot', owner: 'procurement' } as never, 'duty-bot');
  const token = (scope: string) => requestToken(`${fixture.downstream.issuer}/token`, created.downstreamClientId!, created.clientSecret!, scope);
  const expiry = secondsFromNow(5_000);
  await fixture.control.admin.putPolicy({
    environment: 'dev',
    conflictingScopeSets: [['catalog.read', 'rfq.submit']],
    exceptions: [{ ruleId: 'SEPARATION-OF-DUTIES', object: { kind: 'clients', key: 'duty-bot' }, reason: 'both duties while the ERP connector migrates', expiresAt: expiry.text }],
  });
  await fixture.control.admin.put('role-bindings', { name: 'duty-reads', role: 'reader', subjects: [{ clientId: 'duty-bot' }] } as never, 'duty-reads');
  await fixture.control.admin.put('role-bindings', { name: 'duty-bids', role: 'bidder', subjects: [{ clientId: 'duty-bot' }] } as never, 'duty-bids');
  expect(await token('catalog.read rfq.submit')).toMatchObject({ status: 200, scopes: ['catalog.read', 'rfq.submit'] });
  const late = await refusedBy(token, 'catalog.read', expiry.at, expiry.at.getTime() + 5_000);
  expect(late).toBeGreaterThanOrEqual(0);
  expect((await token('rfq.submit')).scopes).toBeNull();
});
