import { binding, findingsOf, judge, model, role, scope } from '../world';

describe('REFERENCES', () => {
  it('passes when everything named exists, declared or known by key', () => {
    const m = model({
      scopes: [{ name: 'catalog.read', referenced: true }],
      roles: [role('reader', ['catalog.read'])],
      clients: [{ clientId: 'erp', referenced: true }],
      roleBindings: [binding('readers', 'reader', 'erp')],
    });
    expect(judge(m, 'REFERENCES')).toEqual([]);
  });

  it('fails when a role, a binding or an implication names objects that do not exist', () => {
    const m = model({ scopes: [scope('catalog.write', 'low', { implies: ['catalog.read'] })], roles: [role('writer', ['catalog.read'])], roleBindings: [binding('readers', 'reader', 'erp')] });
    expect(judge(m, 'REFERENCES')).toEqual([
      "[scopes catalog.write] REFERENCES: scope 'catalog.write' implies scope 'catalog.read', which does not exist; declare the scope in the same change, or reference an existing one",
      "[roles writer] REFERENCES: role 'writer' names scope 'catalog.read', which does not exist; declare the scope in the same change, or reference an existing one",
      "[role-bindings readers] REFERENCES: binding 'readers' names role 'reader', which does not exist; declare the role in the same change, or reference an existing one",
      "[role-bindings readers] REFERENCES: binding 'readers' names client 'erp', which does not exist; declare the client in the same change, or reference an existing one",
    ]);
    expect(findingsOf(m, 'REFERENCES')[3]).toMatchObject({ field: ['subjects', 0, 'clientId'], related: [{ kind: 'clients', key: 'erp' }] });
  });

  it('cannot be accepted by an exception', () => {
    const m = model({ roles: [role('writer', ['catalog.read'])] });
    const exception = { ruleId: 'REFERENCES', object: { kind: 'roles' as const, key: 'writer' }, reason: 'we know what we do', expiresAt: null };
    expect(findingsOf(m, 'REFERENCES', { exceptions: [exception] })[0].exception).toBeUndefined();
  });
});
