import { effectiveScopes, grantsByClient } from '../../lib/model';
import { ModelIndex } from '../../lib/policy/model-index';

const NOW = new Date('2026-12-01T00:00:00Z');

const model = {
  scopes: [
    { name: 'po.read', implies: [] },
    { name: 'po.approve', implies: ['po.read'] },
  ],
  roles: [
    { name: 'reader', description: 'Reads orders.', scopes: ['po.read'] },
    { name: 'approver', description: 'Approves orders.', scopes: ['po.approve'] },
  ],
  roleBindings: [
    {
      name: 'readers',
      role: 'reader',
      subjects: [
        { clientId: 'erp', expiresAt: null, justification: null },
        { clientId: 'old-bot', expiresAt: '2026-11-01T00:00:00Z', justification: null },
      ],
    },
    { name: 'approvers', role: 'approver', subjects: [{ clientId: 'erp', expiresAt: '2027-01-01T00:00:00Z', justification: 'CHG-1' }] },
  ],
};

describe('grantsByClient', () => {
  test('gives every client its grants in binding order; an expired subject grants nothing', () => {
    expect([...grantsByClient(model, NOW)]).toEqual([
      [
        'erp',
        [
          { scope: 'po.read', role: 'reader', binding: 'readers', expiresAt: null },
          { scope: 'po.approve', role: 'approver', binding: 'approvers', expiresAt: '2027-01-01T00:00:00Z' },
        ],
      ],
    ]);
  });

  test('given a client id, gives only that client', () => {
    const only = grantsByClient(model, NOW, 'erp');
    expect([...only.keys()]).toEqual(['erp']);
    expect(grantsByClient(model, NOW, 'nobody').get('nobody')).toBeUndefined();
  });

  test('a role known only by its name grants nothing', () => {
    const referenced = { roles: [{ name: 'reader' }], roleBindings: model.roleBindings };
    expect(grantsByClient(referenced, NOW).get('erp')).toEqual([]);
  });

  // Unvalidated input (verify reads a hand-written *.tf.json) may name a client twice in one binding. The rules' index
  // counted every subject while effectiveScopes took the first one only, so the two disagreed; now both read one function.
  test('every unexpired subject naming the client grants, so effectiveScopes and the policy rules agree', () => {
    const twice = {
      ...model,
      roleBindings: [
        {
          name: 'readers',
          role: 'reader',
          subjects: [
            { clientId: 'erp', expiresAt: '2026-11-01T00:00:00Z', justification: null },
            { clientId: 'erp', expiresAt: null, justification: null },
          ],
        },
      ],
    };
    expect(effectiveScopes('erp', twice, NOW)).toEqual(['po.read']);
    const index = new ModelIndex({ scopes: [], roles: twice.roles, clients: [], roleBindings: twice.roleBindings }, NOW);
    expect(index.grantsByClient().get('erp')?.map(g => g.scope)).toEqual(['po.read']);
  });
});
