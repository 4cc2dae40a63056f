/** The order rules of a sync pass (lib/server/downstream/plan.ts): removals first, drift, and who creates. */
import { planPass } from '../../lib/server/downstream/plan';
import { RemoteClient } from '../../lib/server/downstream/adapter';
import { DownstreamRecord } from '../../lib/server/store/store';

const record = (clientId: string, pushed: string[]): DownstreamRecord => ({ clientId, remoteId: `r-${clientId}`, state: 'secret-state', pushed });
const remote = (clientId: string, scopes: string[] | null): RemoteClient => ({ clientId, remoteId: `r-${clientId}`, enabled: scopes !== null, scopes: scopes ?? [] });
const on = (...clients: RemoteClient[]) => new Map(clients.map(c => [c.clientId, c]));
const summary = (steps: { op: string; clientId?: string; record?: DownstreamRecord; scopes?: string[] }[]) =>
  steps.map(s => `${s.op} ${s.clientId ?? s.record!.clientId}${s.scopes ? ` [${s.scopes.join(' ')}]` : ''}`);

test('a client that trades one duty for another is narrowed to what it keeps before it is widened; every removal comes before any addition', () => {
  const plan = planPass(
    new Map([
      ['a', ['catalog.read', 'po.approve']],
      ['b', ['catalog.read', 'rfq.submit']],
    ]),
    [record('a', ['catalog.read', 'po.create']), record('b', ['catalog.read']), record('c', ['catalog.read'])],
    on(remote('a', ['catalog.read', 'po.create']), remote('b', ['catalog.read']), remote('c', ['catalog.read'])),
    new Set(),
    'revert',
  );
  expect(summary(plan.removals)).toEqual(['set a [catalog.read]', 'delete c']);
  expect(summary(plan.additions)).toEqual(['set a [catalog.read po.approve]', 'set b [catalog.read rfq.submit]']);
  expect(plan.drift).toEqual([]);
});

test('a client losing every scope is disabled (an empty set), never given an empty scope list to widen later', () => {
  const plan = planPass(new Map([['a', []]]), [record('a', ['catalog.read'])], on(remote('a', ['catalog.read'])), new Set(), 'revert');
  expect(summary(plan.removals)).toEqual(['set a []']);
  expect(plan.additions).toEqual([]);
});

test('drift: a downstream state that is neither pushed nor wanted; reverted, or in report mode only reported', () => {
  const records = [record('a', ['catalog.read'])];
  const widened = on(remote('a', ['catalog.read', 'payment.approve']));
  const reverted = planPass(new Map([['a', ['catalog.read']]]), records, widened, new Set(), 'revert');
  expect(reverted.drift).toEqual([{ clientId: 'a', expected: ['catalog.read'], found: ['catalog.read', 'payment.approve'], action: 'reverted' }]);
  expect(summary(reverted.removals)).toEqual(['set a [catalog.read]']);

  const reported = planPass(new Map([['a', ['catalog.read']]]), records, widened, new Set(), 'report');
  expect(reported.drift).toMatchObject([{ clientId: 'a', action: 'reported' }]);
  expect([...reported.removals, ...reported.additions]).toEqual([]);

  // In report mode a change of the model for that client is still pushed, drift and all.
  const changed = planPass(new Map([['a', ['rfq.submit']]]), records, widened, new Set(), 'report');
  expect(changed.drift).toMatchObject([{ action: 'reverted' }]);
  expect(summary(changed.removals)).toEqual(['set a []']);
  expect(summary(changed.additions)).toEqual(['set a [rfq.submit]']);
});

test('a state already what the model wants is no drift, even when the record lags behind', () => {
  const plan = planPass(new Map([['a', ['rfq.submit']]]), [record('a', ['catalog.read'])], on(remote('a', ['rfq.submit'])), new Set(), 'revert');
  expect(plan.drift).toEqual([]);
  expect(summary(plan.additions)).toEqual(['set a [rfq.submit]']);
});

test('a client is created only when a write of it waits for its credentials; otherwise it waits, and says why', () => {
  const wanted = new Map([
    ['new', ['catalog.read']],
    ['later', ['catalog.read']],
  ]);
  const plan = planPass(wanted, [], new Map(), new Set(['new']), 'revert');
  expect(summary(plan.additions)).toEqual(['create new [catalog.read]']);
  expect(plan.waiting).toEqual([{ clientId: 'later', why: expect.stringContaining('next apply of the client') }]);
});

test('a client gone from the downstream is drift and waits for a replacement; one gone from both sides is only forgotten', () => {
  const plan = planPass(new Map([['a', ['catalog.read']]]), [record('a', ['catalog.read']), record('old', ['catalog.read'])], new Map(), new Set(), 'revert');
  expect(plan.drift).toEqual([{ clientId: 'a', expected: ['catalog.read'], found: null, action: 'reported' }]);
  expect(plan.waiting).toEqual([{ clientId: 'a', why: expect.stringContaining('-replace') }]);
  expect(summary(plan.removals)).toEqual(['forget old']);
});
