/**
 * The SQLite store's concurrency: a transaction spans awaits on the one connection every request shares,
 * so a call from outside it must wait for its end and never see its writes half done (sqlite-store.ts).
 */
import { Scope } from '../../../lib/model/types';
import { temporarySqliteStore } from '../../support/sqlite-store-fixture';

const SCOPE: Scope = { name: 'catalog.read', description: 'Read the catalog', risk: 'low', external: false, implies: [] };

describe('SqliteStore transactions', () => {
  const fixture = temporarySqliteStore('each');

  /** A promise the test resolves when it wants the transaction to go on. */
  function gate(): { wait: Promise<void>; open: () => void } {
    let open!: () => void;
    const wait = new Promise<void>(resolve => (open = resolve));
    return { wait, open };
  }

  it('a read outside a transaction waits for its commit and then sees its write', async () => {
    const { wait, open } = gate();
    let written = false;
    const transaction = fixture.store.transaction(async tx => {
      await tx.put('scopes', SCOPE.name, SCOPE);
      written = true;
      await wait;
    });
    while (!written) await new Promise(resolve => setImmediate(resolve));
    let read: unknown = 'pending';
    const reading = fixture.store.get('scopes', SCOPE.name).then(found => (read = found));
    // The read runs at once when the connection is free (the statement is synchronous): a turn of the event loop
    // later, it has not, because the transaction holds it.
    await new Promise(resolve => setImmediate(resolve));
    expect(read).toBe('pending');
    open();
    await transaction;
    await reading;
    expect(read).toEqual({ value: SCOPE, version: 1 });
  });

  it('fails when the callback throws: nothing it wrote stays, and a read that waited sees nothing', async () => {
    const { wait, open } = gate();
    let written = false;
    const transaction = fixture.store.transaction(async tx => {
      await tx.put('scopes', SCOPE.name, SCOPE);
      await tx.appendAudit({
        at: new Date().toISOString(), actor: 'test', action: 'create', kind: 'scopes', key: SCOPE.name,
        before: null, after: SCOPE, clientId: null, requestedScopes: null, grantedScopes: null, reason: null,
      });
      written = true;
      await wait;
      throw new Error('refused after writing');
    });
    while (!written) await new Promise(resolve => setImmediate(resolve));
    const reading = fixture.store.get('scopes', SCOPE.name);
    open();
    await expect(transaction).rejects.toThrow('refused after writing');
    expect(await reading).toBeNull();
    expect(await fixture.store.revision()).toBe(0);
    expect(await fixture.store.queryAudit({ limit: 10, maxBytes: 1 << 20 })).toEqual({ entries: [], more: false });
  });

  it('runs concurrent transactions one after the other, each seeing what the one before committed', async () => {
    const bump = () =>
      fixture.store.transaction(async tx => {
        const before = await tx.revision();
        // Lets the other transactions, already called, try to run in the middle of this one.
        await new Promise(resolve => setImmediate(resolve));
        const after = await tx.put('scopes', SCOPE.name, { ...SCOPE, description: `after ${before}` });
        return [before, after];
      });
    expect(await Promise.all([bump(), bump(), bump()])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });
});
