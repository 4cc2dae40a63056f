/** Group commit of token grants against a real SQLite store: every row kept, one transaction for many grants, failures per batch. */
import { GrantBatcher, foldUsage } from '../../../lib/server/oauth/grant-batch';
import { GrantBatch, GrantBatchStore, NewAuditEntry } from '../../../lib/server/store/store';
import { temporarySqliteStore } from '../../support/sqlite-store-fixture';

const fixture = temporarySqliteStore('each');

function grant(clientId: string, at: string, scopes: string[], jti: string): NewAuditEntry {
  return { at, actor: clientId, action: 'token.grant', kind: null, key: jti, before: null, after: null, clientId, requestedScopes: scopes, grantedScopes: scopes, reason: null };
}

async function allGrants(): Promise<string[]> {
  const keys: string[] = [];
  for (let after: string | undefined; ; ) {
    const { entries: page } = await fixture.store.queryAudit({ action: 'token.grant', limit: 1000, maxBytes: 1 << 20, ...(after ? { after } : {}) });
    if (page.length === 0) return keys;
    keys.push(...page.map(e => e.key!));
    after = String(page[page.length - 1].id);
  }
}

describe('grant batches', () => {
  test('under concurrency every grant keeps its row, in far fewer transactions than grants', async () => {
    const batches: GrantBatch[] = [];
    const counting: GrantBatchStore = { commitGrants: batch => (batches.push(batch), fixture.store.commitGrants(batch)) };
    const batcher = new GrantBatcher(counting, { maxGrants: 256 });
    const clients = ['erp', 'desk', 'ap'];
    const grants = Array.from({ length: 3_000 }, (_, i) =>
      grant(clients[i % 3], new Date(Date.UTC(2026, 10, 29, 12, 0, 0, i)).toISOString(), i % 2 ? ['catalog.read'] : ['catalog.read', 'rfq.submit'], `jti-${i}`),
    );
    // Arriving in waves, as concurrent requests do: some while a batch is being written.
    const waiting: Promise<void>[] = [];
    for (let wave = 0; wave < 30; wave++) {
      waiting.push(...grants.slice(wave * 100, wave * 100 + 100).map(g => batcher.record(g)));
      await new Promise(resolve => setImmediate(resolve));
    }
    await Promise.all(waiting);
    expect((await allGrants()).sort()).toEqual(grants.map(g => g.key!).sort());
    expect(batches.length).toBeLessThan(grants.length / 50);
    expect(Math.max(...batches.map(batch => batch.audit.length))).toBeLessThanOrEqual(256);
    const last = (clientId: string, scope: string) => grants.filter(g => g.clientId === clientId && g.grantedScopes!.includes(scope)).pop()!.at;
    expect(await fixture.store.usage()).toEqual(
      ['ap', 'desk', 'erp'].flatMap(clientId => ['catalog.read', 'rfq.submit'].map(scope => ({ clientId, scope, lastUsedAt: last(clientId, scope) }))),
    );
  });

  test('a grant resolves only after its batch is committed', async () => {
    let open = () => {};
    const gate = new Promise<void>(resolve => (open = resolve));
    let reached = () => {};
    const atGate = new Promise<void>(resolve => (reached = resolve));
    const slow: GrantBatchStore = { commitGrants: async batch => (reached(), await gate, fixture.store.commitGrants(batch)) };
    const batcher = new GrantBatcher(slow);
    let resolved = false;
    const pending = batcher.record(grant('erp', '2026-11-29T12:00:00.000Z', ['catalog.read'], 'jti-1')).then(() => (resolved = true));
    // The batch is being committed (held at the gate); a turn of the event loop later, the grant is still waiting.
    await atGate;
    await new Promise(resolve => setImmediate(resolve));
    expect([resolved, await allGrants()]).toEqual([false, []]);
    open();
    await pending;
    expect(await allGrants()).toEqual(['jti-1']);
  });

  test('no wait: a grant goes at the end of its turn, with that turn\'s grants; those arriving meanwhile form the next batch', async () => {
    const sizes: number[] = [];
    let open = () => {};
    const gate = new Promise<void>(resolve => (open = resolve));
    const held: GrantBatchStore = { commitGrants: async batch => (sizes.push(batch.audit.length), await gate, fixture.store.commitGrants(batch)) };
    const batcher = new GrantBatcher(held);
    const record = (jti: string) => batcher.record(grant('erp', '2026-11-29T12:00:00.000Z', ['catalog.read'], jti));
    const first = ['a', 'b', 'c'].map(record);
    await new Promise(resolve => setImmediate(resolve));
    // The first batch is being written (held at the gate); these gather for the next one.
    const second = ['d', 'e'].map(record);
    // A batch due at the end of this turn would have started by the end of the next one: none did.
    await new Promise(resolve => setImmediate(resolve));
    await new Promise(resolve => setImmediate(resolve));
    expect(sizes).toEqual([3]);
    open();
    await Promise.all([...first, ...second]);
    expect(sizes).toEqual([3, 2]);
    expect((await allGrants()).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('fails when its batch cannot be written: every grant of that batch is refused, the next batch is tried afresh', async () => {
    let failing = true;
    const failingOnce: GrantBatchStore = {
      commitGrants: async batch => {
        if (!failing) return fixture.store.commitGrants(batch);
        failing = false;
        throw new Error('disk I/O error');
      },
    };
    const batcher = new GrantBatcher(failingOnce);
    const failed = [1, 2, 3].map(i => batcher.record(grant('erp', '2026-11-29T12:00:00.000Z', ['catalog.read'], `lost-${i}`)));
    for (const result of await Promise.allSettled(failed)) expect(result).toMatchObject({ status: 'rejected', reason: { message: 'disk I/O error' } });
    await batcher.record(grant('erp', '2026-11-29T12:00:01.000Z', ['catalog.read'], 'kept'));
    expect(await allGrants()).toEqual(['kept']);
  });

  test('flush writes what is still queued (shutdown)', async () => {
    const batcher = new GrantBatcher(fixture.store);
    // Queued in this turn, due at its end: the flush writes it first.
    const pending = batcher.record(grant('erp', '2026-11-29T12:00:00.000Z', ['catalog.read'], 'jti-1'));
    await batcher.flush();
    await pending;
    expect(await allGrants()).toEqual(['jti-1']);
  });

  test('usage only moves forward: a batch with older uses committed later leaves the newer one', async () => {
    const newer = grant('erp', '2026-11-29T12:00:05.000Z', ['catalog.read'], 'new');
    const older = grant('erp', '2026-11-29T12:00:01.000Z', ['catalog.read'], 'old');
    await fixture.store.commitGrants({ audit: [newer], usage: foldUsage([newer]) });
    await fixture.store.commitGrants({ audit: [older], usage: foldUsage([older]) });
    expect(await fixture.store.usage('erp')).toEqual([{ clientId: 'erp', scope: 'catalog.read', lastUsedAt: '2026-11-29T12:00:05.000Z' }]);
  });
});
