import { ProcurementClient, Role, RoleBinding, Scope, ScopeRisk } from '../../../lib/constructs';
import { synthJson, testAuthorization } from '../fixture';

describe('keyed resources', () => {
  it('create the replacement before destroying the old object, so a renamed key can be repointed', () => {
    const { stack, auth } = testAuthorization();
    const scope = new Scope(auth, 'PoRead', { name: 'po.read', description: 'Read orders.', risk: ScopeRisk.LOW });
    const role = new Role(auth, 'Reader', { name: 'reader', description: 'Reads.', scopes: [scope] });
    const client = new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team' });
    new RoleBinding(auth, 'Readers', { name: 'readers', role, subjects: [{ client }] });
    const resources = synthJson(stack).resource;
    for (const type of ['procurement_scope', 'procurement_role', 'procurement_client', 'procurement_role_binding']) {
      for (const resource of Object.values(resources[type] as Record<string, { lifecycle?: object }>)) {
        expect(resource.lifecycle).toEqual({ create_before_destroy: true });
      }
    }
  });
});
