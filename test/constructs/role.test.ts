import { Testing } from 'cdktf';
import { ProcurementClient, ProcurementRoleBindingResource, ProcurementRoleResource, Role, RoleBinding, Scope, ScopeRisk } from '../../lib/constructs';
import { reportOf, synthJson, testAuthorization } from './fixture';

function catalog() {
  const fixture = testAuthorization();
  const { auth } = fixture;
  const read = new Scope(auth, 'CatalogRead', { name: 'catalog.read', description: 'Read.', risk: ScopeRisk.LOW });
  const write = new Scope(auth, 'CatalogWrite', { name: 'catalog.write', description: 'Write.', risk: ScopeRisk.MEDIUM });
  const client = (id: string, clientId: string) => new ProcurementClient(auth, id, { clientId, displayName: id, owner: 'team' });
  return { ...fixture, read, write, client };
}

describe('Role', () => {
  it('names its scopes by Terraform reference, once each, sorted by scope name', () => {
    const { stack, auth, read, write } = catalog();
    const role = new Role(auth, 'Editor', { name: 'catalog-editor', description: 'Edits catalogs.', scopes: [write] });
    expect(role.addScope(read, write)).toBe(role);
    expect(role.scopeNames).toEqual(['catalog.read', 'catalog.write']);
    const json = synthJson(stack);
    const keyOf = (name: string) => Object.entries(json.resource.procurement_scope).find(([, s]) => s.name === name)![0];
    expect(Testing.toHaveResourceWithProperties(Testing.synth(stack), ProcurementRoleResource.tfResourceType, {
      name: 'catalog-editor',
      description: 'Edits catalogs.',
      scopes: [`\${procurement_scope.${keyOf('catalog.read')}.name}`, `\${procurement_scope.${keyOf('catalog.write')}.name}`],
    })).toBe(true);
    expect(role.node.findChild('Resource')).toBe(role.resource);
  });

  it('grantTo answers what was granted', () => {
    const { auth, read, client } = catalog();
    const role = new Role(auth, 'Reader', { name: 'catalog-reader', description: 'Reads.', scopes: [read] });
    const grant = role.grantTo(client('Erp', 'erp'), { expiresAt: new Date('2026-04-01T00:00:00.000Z'), justification: 'CHG-1' });
    expect(grant.role).toBe(role);
    expect(grant.scopes).toEqual(['catalog.read']);
    expect(grant.expiresAt).toBe('2026-04-01T00:00:00Z');
    expect(grant.justification).toBe('CHG-1');
    expect(String(grant)).toBe('role catalog-reader to client erp via binding catalog-reader-grants until 2026-04-01T00:00:00Z');
  });

  it('aggregates grants into one role binding with several subjects, not one resource per pair', () => {
    const { stack, auth, read, client } = catalog();
    const role = new Role(auth, 'Reader', { name: 'catalog-reader', description: 'Reads.', scopes: [read] });
    role.grantTo(client('Portal', 'supplier-portal'));
    role.grantTo(client('Erp', 'erp-connector'), { justification: 'CHG-7' });
    role.grantTo(client('Budget', 'budget-service'));
    const json = synthJson(stack);
    const bindings = Object.entries(json.resource.procurement_role_binding);
    expect(bindings).toHaveLength(1);
    const [key, binding] = bindings[0];
    expect(key).toBe('catalog-reader-grants'); // the address is the binding's name, not the construct path
    const clientKey = (id: string) => Object.entries(json.resource.procurement_client).find(([, c]) => c.client_id === id)![0];
    expect(binding.name).toBe('catalog-reader-grants');
    expect(binding.role).toBe(`\${procurement_role.${Object.keys(json.resource.procurement_role)[0]}.name}`);
    // Sorted by client id, each with every attribute explicit.
    expect(binding.subject).toEqual(['budget-service', 'erp-connector', 'supplier-portal'].map(id => ({
      client_id: `\${procurement_client.${clientKey(id)}.client_id}`,
      expires_at: null,
      justification: id === 'erp-connector' ? 'CHG-7' : null,
    })));
    expect(Testing.toHaveResource(Testing.synth(stack), ProcurementRoleBindingResource.tfResourceType)).toBe(true);
    expect(reportOf(auth)).toEqual([]);
  });

  it('grants through an explicit binding of the same role', () => {
    const { auth, read, client } = catalog();
    const role = new Role(auth, 'Reader', { name: 'catalog-reader', description: 'Reads.', scopes: [read] });
    const binding = new RoleBinding(auth, 'Readers', { name: 'readers', role });
    const grant = role.grantTo(client('Erp', 'erp'), { binding });
    expect(grant.binding).toBe(binding);
    expect(binding.subjects).toEqual([grant]);
  });

  it('fails when granted through a binding of another role', () => {
    const { auth, read, write, client } = catalog();
    const reader = new Role(auth, 'Reader', { name: 'catalog-reader', description: 'Reads.', scopes: [read] });
    const writer = new Role(auth, 'Writer', { name: 'catalog-writer', description: 'Writes.', scopes: [write] });
    const binding = new RoleBinding(auth, 'Writers', { name: 'writers', role: writer });
    expect(() => reader.grantTo(client('Erp', 'erp'), { binding })).toThrow(
      "[stack/Auth/Reader] cannot grant role 'catalog-reader' through binding 'writers' (stack/Auth/Writers), which binds role 'catalog-writer'",
    );
  });

  it('fails when props break the model, naming the construct path', () => {
    const { auth } = catalog();
    new Role(auth, 'Bad', { name: 'AP Clerk', description: 'Pays.' });
    expect(reportOf(auth, 'PROPS')).toEqual([
      "[stack/Auth/Bad] PROPS: name must be lower case letters, digits and dashes, starting with a letter (e.g. ap-clerk), got 'AP Clerk'",
    ]);
  });

  it('is referenced literally when imported', () => {
    const { stack, auth, client } = catalog();
    const legacy = Role.fromName(auth, 'Legacy', 'legacy-buyer');
    new RoleBinding(auth, 'LegacyBuyers', { name: 'legacy-buyers', role: legacy, subjects: [{ client: client('Erp', 'erp') }] });
    const binding = Object.values(synthJson(stack).resource.procurement_role_binding)[0];
    expect(binding.role).toBe('legacy-buyer');
    expect(reportOf(auth)).toEqual([]);
  });
});
