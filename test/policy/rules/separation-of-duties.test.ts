import { binding, client, findingsOf, judge, model, role, scope } from '../world';

const scopes = [scope('po.create', 'high'), scope('po.approve', 'high'), scope('po.manage', 'high', { implies: ['po.approve'] })];

describe('SEPARATION-OF-DUTIES', () => {
  it('passes when conflicting duties are held by different clients', () => {
    const m = model({
      scopes,
      roles: [role('buyer', ['po.create']), role('approver', ['po.approve'])],
      clients: [client('erp'), client('bot')],
      roleBindings: [binding('buyers', 'buyer', 'erp'), binding('approvers', 'approver', 'bot')],
    });
    expect(judge(m, 'SEPARATION-OF-DUTIES')).toEqual([]);
  });

  it('fails when one client would hold two scopes of a conflicting set, through two roles', () => {
    const m = model({
      scopes,
      roles: [role('buyer', ['po.create']), role('approver', ['po.approve'])],
      clients: [client('erp')],
      roleBindings: [binding('buyers', 'buyer', 'erp'), binding('approvers', 'approver', 'erp')],
    });
    expect(judge(m, 'SEPARATION-OF-DUTIES')).toEqual([
      "[clients erp] SEPARATION-OF-DUTIES: client 'erp' would hold conflicting scopes po.create (role buyer via binding buyers) and " +
        'po.approve (role approver via binding approvers); separation of duties allows at most one of {po.create, po.approve}; ' +
        'give these duties to different clients',
    ]);
    expect(findingsOf(m, 'SEPARATION-OF-DUTIES')[0].related).toEqual(expect.arrayContaining([{ kind: 'role-bindings', key: 'buyers' }, { kind: 'role-bindings', key: 'approvers' }]));
  });

  it('fails when the second duty is only implied', () => {
    const m = model({ scopes, roles: [role('all', ['po.create', 'po.manage'])], clients: [client('erp')], roleBindings: [binding('all', 'all', 'erp')] });
    expect(judge(m, 'SEPARATION-OF-DUTIES')[0]).toContain('po.approve (implied by po.manage (role all via binding all))');
  });

  it('passes when the grant that makes the conflict has expired', () => {
    const m = model({
      scopes,
      roles: [role('buyer', ['po.create']), role('approver', ['po.approve'])],
      clients: [client('erp')],
      roleBindings: [binding('buyers', 'buyer', 'erp'), binding('approvers', 'approver', ['erp', '2026-02-01T00:00:00Z', 'CHG-1'])],
    });
    expect(judge(m, 'SEPARATION-OF-DUTIES')).toEqual([]);
  });
});
