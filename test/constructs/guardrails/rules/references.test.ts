import { TerraformStack } from 'cdktf';
import { Authorization, ProcurementClient, Role, RoleBinding, Scope, ScopeRisk } from '../../../../lib/constructs';
import { reportOf, testAuthorization } from '../../fixture';

describe('REFERENCES', () => {
  it('passes when everything named is declared or imported in the same authorization', () => {
    const { auth } = testAuthorization();
    const role = new Role(auth, 'Reader', { name: 'reader', description: 'Reads.', scopes: [Scope.fromName(auth, 'Read', 'catalog.read')] });
    new RoleBinding(auth, 'Readers', { name: 'readers', role, subjects: [{ client: ProcurementClient.fromClientId(auth, 'Erp', 'erp') }] });
    expect(reportOf(auth, 'REFERENCES')).toEqual([]);
  });

  it('fails when a role, a binding or an implication names objects of another authorization', () => {
    const { app, auth } = testAuthorization();
    const other = new Authorization(new TerraformStack(app, 'other'), 'Auth', { environment: 'other' });
    const foreignScope = new Scope(other, 'Read', { name: 'catalog.read', description: 'Read.', risk: ScopeRisk.LOW });
    const foreignRole = new Role(other, 'Reader', { name: 'reader', description: 'Reads.' });
    const foreignClient = new ProcurementClient(other, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team' });
    new Scope(auth, 'Write', { name: 'catalog.write', description: 'Write.', risk: ScopeRisk.LOW, implies: [foreignScope] });
    new Role(auth, 'Writer', { name: 'writer', description: 'Writes.', scopes: [foreignScope] });
    new RoleBinding(auth, 'Readers', { name: 'readers', role: foreignRole, subjects: [{ client: foreignClient }] });
    expect(reportOf(auth, 'REFERENCES')).toEqual([
      "[stack/Auth/Write] REFERENCES: scope 'catalog.write' implies scope 'catalog.read', which is not declared in this authorization (declare it here or reference it with fromXxx inside this authorization)",
      "[stack/Auth/Writer] REFERENCES: role 'writer' names scope 'catalog.read', which is not declared in this authorization (declare it here or reference it with fromXxx inside this authorization)",
      "[stack/Auth/Readers] REFERENCES: binding 'readers' names role 'reader', which is not declared in this authorization (declare it here or reference it with fromXxx inside this authorization)",
      "[stack/Auth/Readers] REFERENCES: binding 'readers' names client 'erp', which is not declared in this authorization (declare it here or reference it with fromXxx inside this authorization)",
    ]);
  });
});
