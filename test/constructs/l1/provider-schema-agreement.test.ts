/**
 * The L1 classes and the provider are written separately; this keeps them
 * from drifting apart. It synthesizes every resource type and the provider
 * block, then asks the real `terraform` for the real provider's schema
 * (`terraform providers schema -json`) and checks that every synthesized
 * attribute and block exists there, and that every required one is synthesized.
 */
import { ProcurementClient, Role, RoleBinding, Scope, ScopeRisk } from '../../../lib/constructs';
import { createWorkspace, expectExit, Workspace } from '../../support/terraform';
import { synthJson, testAuthorization } from '../fixture';

interface SchemaAttribute {
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  /** A nested attribute (protocol 6), e.g. a binding's `subject` list. */
  nested_type?: { attributes: Record<string, SchemaAttribute>; nesting_mode: string };
}

interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, { block: SchemaBlock }>;
}

interface ProvidersSchema {
  provider_schemas: Record<string, { provider: { block: SchemaBlock }; resource_schemas: Record<string, { block: SchemaBlock }> }>;
}

const META_ARGUMENTS = new Set(['//', 'provider', 'lifecycle', 'depends_on', 'count', 'for_each']);

describe('constructs and provider schema', () => {
  let workspace: Workspace;
  let schema: ProvidersSchema['provider_schemas'][string];

  beforeAll(async () => {
    workspace = await createWorkspace({ url: 'http://127.0.0.1:9' });
    workspace.writeConfig({});
    expectExit(await workspace.init(), 0);
    const result = await workspace.run('providers schema', '-json');
    expectExit(result, 0);
    schema = (JSON.parse(result.stdout) as ProvidersSchema).provider_schemas['registry.terraform.io/procurement-scopes/procurement'];
  });
  afterAll(() => workspace?.remove());

  test('every synthesized attribute is in the provider schema, and every required one is synthesized', () => {
    const { stack, auth } = testAuthorization();
    const scope = new Scope(auth, 'PoRead', { name: 'po.read', description: 'Read orders.', risk: ScopeRisk.LOW });
    const role = new Role(auth, 'Reader', { name: 'reader', description: 'Reads.', scopes: [scope] });
    const client = new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team' });
    new RoleBinding(auth, 'Readers', { name: 'readers', role, subjects: [{ client, expiresAt: '2026-04-01T00:00:00Z', justification: 'CHG-1' }] });
    const synthesized = synthJson(stack);

    const types = ['procurement_scope', 'procurement_role', 'procurement_client', 'procurement_role_binding', 'procurement_policy'];
    expect(Object.keys(synthesized.resource).sort()).toEqual([...types].sort());
    for (const type of types) {
      const block = schema.resource_schemas[type]?.block;
      expect(block).toBeDefined();
      for (const resource of Object.values(synthesized.resource[type])) expectAgreement(type, resource, block);
    }
    for (const providerBlock of synthesized.provider.procurement as Record<string, unknown>[]) {
      expectAgreement('provider', providerBlock, schema.provider.block);
    }
  });
});

function expectAgreement(where: string, synthesized: Record<string, unknown>, block: SchemaBlock): void {
  const known = new Set([...Object.keys(block.attributes ?? {}), ...Object.keys(block.block_types ?? {})]);
  const unknown = Object.keys(synthesized).filter(key => !META_ARGUMENTS.has(key) && !known.has(key));
  expect({ where, unknown }).toEqual({ where, unknown: [] });
  const required = Object.entries(block.attributes ?? {}).filter(([, a]) => a.required).map(([name]) => name);
  const missing = required.filter(name => !(name in synthesized));
  expect({ where, missing }).toEqual({ where, missing: [] });
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    for (const item of (synthesized[name] as Record<string, unknown>[] | undefined) ?? []) expectAgreement(`${where}.${name}`, item, nested.block);
  }
  // Nested attributes (e.g. a binding's `subject` list): check each element's keys too.
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (!attribute.nested_type) continue;
    const itemBlock: SchemaBlock = { attributes: attribute.nested_type.attributes };
    for (const item of (synthesized[name] as Record<string, unknown>[] | undefined) ?? []) expectAgreement(`${where}.${name}`, item, itemBlock);
  }
}
