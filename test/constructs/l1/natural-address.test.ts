/**
 * Terraform addresses come from natural keys: renaming or moving a construct
 * changes nothing Terraform sees, earlier construct-path addresses move to the
 * new ones, and two resources that would share an address fail synth naming
 * both constructs.
 */
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ProcurementClient, Role, Scope, ScopeRisk } from '../../../lib/constructs';
import { logicalIdOf } from '../../../lib/constructs/l1/natural-address';
import { synthJson, testAuthorization } from '../fixture';

function declare(names: { scope: string; role: string; client: string }, parent?: (auth: Construct) => Construct) {
  const { stack, auth } = testAuthorization();
  const home = parent ? parent(auth) : auth;
  const read = new Scope(home, names.scope, { name: 'catalog.read', description: 'Read catalogs', risk: ScopeRisk.LOW });
  const client = new ProcurementClient(home, names.client, { clientId: 'erp-connector', displayName: 'ERP', owner: 'team-erp' });
  new Role(home, names.role, { name: 'catalog-reader', description: 'Reads catalogs', scopes: [read] }).grantTo(client);
  return { stack, auth };
}

describe('natural-key addresses', () => {
  test('a renamed or moved construct synthesizes the same resources at the same addresses', () => {
    const before = synthJson(declare({ scope: 'CatalogRead', role: 'Reader', client: 'Erp' }).stack);
    const renamed = synthJson(declare({ scope: 'Read', role: 'CatalogReader', client: 'ErpConnector' }, auth => new Construct(auth, 'Moved')).stack);
    expect(renamed.resource).toEqual(before.resource);
    expect(Object.keys(before.resource.procurement_scope)).toEqual(['catalog_read']);
    expect(Object.keys(before.resource.procurement_role)).toEqual(['catalog-reader']);
    expect(Object.keys(before.resource.procurement_client)).toEqual(['erp-connector']);
    expect(Object.keys(before.resource.procurement_role_binding)).toEqual(['catalog-reader-grants']);
  });

  test('each resource moves from the construct-path address of earlier releases', () => {
    const json = synthJson(declare({ scope: 'CatalogRead', role: 'Reader', client: 'Erp' }).stack) as unknown as { moved: { from: string; to: string }[] };
    expect(json.moved).toContainEqual({ from: expect.stringMatching(/^procurement_scope\.Auth_CatalogRead_[0-9A-F]{8}$/), to: 'procurement_scope.catalog_read' });
    expect(json.moved).toHaveLength(4);
  });

  test('keys become valid Terraform names', () => {
    expect(logicalIdOf('ticket.comment')).toBe('ticket_comment');
    expect(logicalIdOf('erp_connector.v2')).toBe('erp_connector_v2');
    expect(logicalIdOf('3pl-portal')).toBe('_3pl-portal');
  });

  test('fails at synth when two resources would share an address, naming both constructs, as an error annotation without a stack trace', () => {
    const { stack, auth } = testAuthorization();
    new Scope(auth, 'First', { name: 'catalog.read', description: 'Read catalogs', risk: ScopeRisk.LOW });
    const second = new Scope(auth, 'Second', { name: 'catalog.read', description: 'Read catalogs again', risk: ScopeRisk.LOW });
    auth.suppress(second, 'DUPLICATES', 'test: the guardrail is silenced, the address still collides');
    // Not a node validation: cdktf would print it with stack traces and its advice to pass skipValidation.
    expect(() => Testing.synth(stack as TerraformStack, true)).not.toThrow();
    const errors = second.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === '@cdktf/error'));
    expect(errors.map(m => m.data)).toContainEqual(
      "procurement_scope.catalog_read (key 'catalog.read') is also the address of stack/Auth/First: two resources cannot manage one object; keep one",
    );
    expect(errors.every(m => m.trace === undefined)).toBe(true);
  });

  test('two clients with one client id are a DUPLICATES finding, without a stack trace or advice to skip validation', () => {
    const { stack, auth } = testAuthorization();
    new ProcurementClient(auth, 'Erp', { clientId: 'erp-connector', displayName: 'ERP', owner: 'team-erp' });
    new ProcurementClient(auth, 'ErpAgain', { clientId: 'erp-connector', displayName: 'ERP', owner: 'team-erp' });
    expect(() => Testing.synth(stack as TerraformStack, true)).not.toThrow();
    const errors = stack.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === '@cdktf/error'));
    expect(errors.map(m => m.data)).toContainEqual(expect.stringMatching(/^DUPLICATES: client 'erp-connector' is declared more than once/));
    expect(errors.every(m => m.trace === undefined)).toBe(true);
    expect(errors.map(m => String(m.data)).join('\n')).not.toContain('skipValidation');
  });
});
