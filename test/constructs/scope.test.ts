import { TerraformVariable, Testing } from 'cdktf';
import { ProcurementScopeResource, Role, Scope, ScopeRisk } from '../../lib/constructs';
import { reportOf, synthJson, testAuthorization } from './fixture';

describe('Scope', () => {
  it('synthesizes every attribute with the model defaults filled', () => {
    const { stack, auth } = testAuthorization();
    new Scope(auth, 'CatalogRead', { name: 'catalog.read', description: 'Read catalogs.', risk: ScopeRisk.LOW });
    expect(Testing.toHaveResourceWithProperties(Testing.synth(stack), ProcurementScopeResource.tfResourceType, {
      name: 'catalog.read', description: 'Read catalogs.', risk: 'low', external: false, implies: [],
    })).toBe(true);
  });

  it('names implied scopes by Terraform reference, sorted by name, and imported ones literally', () => {
    const { stack, auth } = testAuthorization();
    const comment = new Scope(auth, 'TicketComment', { name: 'ticket.comment', description: 'Comment.', risk: ScopeRisk.LOW });
    const annotate = Scope.fromName(auth, 'Annotate', 'ticket.annotate');
    new Scope(auth, 'TicketWrite', { name: 'ticket.write', description: 'Write.', risk: ScopeRisk.MEDIUM, implies: [comment, annotate] });
    const scopes = synthJson(stack).resource.procurement_scope;
    const write = Object.values(scopes).find(s => s.name === 'ticket.write')!;
    expect(write.implies).toEqual(['ticket.annotate', '${procurement_scope.ticket_comment.name}']);
    expect(Object.keys(scopes)).toHaveLength(2);
    expect(reportOf(auth)).toEqual([]);
  });

  it('has its resource under the construct id Resource', () => {
    const { auth } = testAuthorization();
    const scope = new Scope(auth, 'PoRead', { name: 'po.read', description: 'Read orders.', risk: ScopeRisk.LOW });
    expect(scope.node.findChild('Resource')).toBe(scope.resource);
    // A reference Terraform resolves (so dependents wait for the scope), not the literal name.
    expect(scope.scopeNameRef).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
    expect(scope.risk).toBe('low');
  });

  it('fails when props break the model, naming the construct path and every field', () => {
    const { auth } = testAuthorization();
    new Scope(auth, 'Bad', { name: 'Read Users', description: ' ', risk: 'severe' as ScopeRisk });
    const report = reportOf(auth, 'PROPS');
    expect(report).toHaveLength(3);
    expect(report[0]).toMatch(/^\[stack\/Auth\/Bad\] PROPS: /);
    expect(report.join('\n')).toContain("name must look like resource.action in lower case, dot separated, with no wildcards (e.g. catalog.read), got 'Read Users'");
    expect(report.join('\n')).toContain('risk must be one of low, medium, high, critical');
    expect(report.join('\n')).toContain('description is required');
  });

  it('fails when created outside an Authorization', () => {
    const { stack } = testAuthorization();
    expect(() => new Scope(stack, 'Loose', { name: 'po.read', description: 'Read.', risk: ScopeRisk.LOW })).toThrow(
      '[stack/Loose] must be created inside an Authorization',
    );
  });

  it('is referenced literally when imported, without a resource', () => {
    const { stack, auth } = testAuthorization();
    const audit = Scope.fromName(auth, 'AuditRead', 'audit.read');
    new Role(auth, 'Auditor', { name: 'auditor', description: 'Audits.', scopes: [audit] });
    const json = synthJson(stack);
    expect(json.resource.procurement_scope).toBeUndefined();
    expect(Object.values(json.resource.procurement_role)[0].scopes).toEqual(['audit.read']);
    expect(reportOf(auth)).toEqual([]);
  });

  it('does not judge unresolved tokens as literals', () => {
    const { stack, auth } = testAuthorization();
    // A token's placeholder text would break the name pattern if it were judged as the name.
    const name = new TerraformVariable(stack, 'scope_name', { type: 'string' });
    new Scope(auth, 'FromVariable', { name: name.stringValue, description: 'Named by a variable.', risk: ScopeRisk.LOW });
    expect(reportOf(auth)).toEqual([]);
    expect(Testing.toHaveResourceWithProperties(Testing.synth(stack), ProcurementScopeResource.tfResourceType, { name: '${var.scope_name}' })).toBe(true);
  });
});
