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

  test('fails at synth when two resources would share an address, naming both constructs', () => {
    const { stack, auth } = testAuthorization();
    new Scope(auth, 'First', { name: 'catalog.read', description: 'Read catalogs', risk: ScopeRisk.LOW });
    const second = new Scope(auth, 'Second', { name: 'catalog.read', description: 'Read catalogs again', risk: ScopeRisk.LOW });
    auth.suppress(second, 'DUPLICATES', 'test: the guardrail is silenced, the address still collides');
    const synth = () => Testing.synth(stack as TerraformStack, true);
    // Each of the two names the other.
    for (const other of ['Second', 'First']) {
      expect(synth).toThrow(new RegExp(`procurement_scope\\.catalog_read \\(key 'catalog\\.read'\\) is also the address of stack/Auth/${other}: two resources cannot manage one object`));
    }
  });
});
