import { ProcurementClient, Role, Scope, ScopeRisk } from '../../../../lib/constructs';
import { reportOf, testAuthorization } from '../../fixture';

function world() {
  const fixture = testAuthorization();
  const { auth } = fixture;
  const comment = new Scope(auth, 'TicketComment', { name: 'ticket.comment', description: 'Comment.', risk: ScopeRisk.LOW });
  const quote = new Scope(auth, 'RfqRespond', { name: 'rfq.respond', description: 'Quote.', risk: ScopeRisk.MEDIUM, external: true, implies: [comment] });
  const read = new Scope(auth, 'RfqRead', { name: 'rfq.read', description: 'Read.', risk: ScopeRisk.LOW, external: true });
  const portal = new ProcurementClient(auth, 'Portal', { clientId: 'supplier-portal', displayName: 'Portal', owner: 'suppliers', external: true });
  return { ...fixture, quote, read, portal };
}

describe('EXTERNAL-ISOLATION', () => {
  it('passes when an external client holds external scopes only', () => {
    const { auth, read, portal } = world();
    new Role(auth, 'Supplier', { name: 'supplier', description: 'Supplies.', scopes: [read] }).grantTo(portal);
    expect(reportOf(auth, 'EXTERNAL-ISOLATION')).toEqual([]);
  });

  it('fails when an external client would hold an internal scope, implied ones included', () => {
    const { auth, quote, portal } = world();
    new Role(auth, 'Supplier', { name: 'supplier', description: 'Supplies.', scopes: [quote] }).grantTo(portal);
    expect(reportOf(auth, 'EXTERNAL-ISOLATION')).toEqual([
      "[stack/Auth/Portal] EXTERNAL-ISOLATION: external client 'supplier-portal' would hold internal scope(s) ticket.comment through rfq.respond " +
        '(role supplier via binding supplier-grants); external clients may only hold scopes marked external. Remove the grant or mark the scope external',
    ]);
  });
});
