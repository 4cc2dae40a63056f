import { binding, client, inDays, judge, model, role, scope } from '../world';

const world = (...subjects: Parameters<typeof binding>[2][]) =>
  model({ scopes: [scope('catalog.read', 'low')], roles: [role('reader', ['catalog.read'])], clients: [client('bot'), client('desk')], roleBindings: [binding('readers', 'reader', ...subjects)] });

describe('EXPIRED-GRANT', () => {
  it('passes a grant that never expires or expires later', () => {
    expect(judge(world('bot', ['desk', inDays(1), null]), 'EXPIRED-GRANT')).toEqual([]);
  });

  it('warns of a subject whose expiresAt has already passed, naming the binding, client and time', () => {
    expect(judge(world('bot', ['desk', '2020-01-01T00:00:00Z', 'CHG-1']), 'EXPIRED-GRANT')).toEqual([
      "[role-bindings readers] EXPIRED-GRANT: binding 'readers' grants role 'reader' to 'desk' until 2020-01-01T00:00:00Z, which has already passed: it grants nothing; " +
        'remove the subject, or give it a later expiresAt if the grant is still needed',
    ]);
  });
});
