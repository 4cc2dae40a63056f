import { ProcurementClient, Role, Scope, ScopeRisk } from '../../../../lib/constructs';
import { DAY_MS, NOW, reportOf, testAuthorization } from '../../fixture';

function world() {
  const fixture = testAuthorization();
  const { auth } = fixture;
  const scope = (id: string, name: string) => new Scope(auth, id, { name, description: `${name}.`, risk: ScopeRisk.MEDIUM });
  const create = scope('PoCreate', 'po.create');
  const approve = scope('PoApprove', 'po.approve');
  const buyer = new Role(auth, 'Buyer', { name: 'buyer', description: 'Buys.', scopes: [create] });
  const approver = new Role(auth, 'Approver', { name: 'approver', description: 'Approves.', scopes: [approve] });
  const client = (id: string, clientId: string) => new ProcurementClient(auth, id, { clientId, displayName: id, owner: 'team' });
  return { ...fixture, buyer, approver, client };
}

describe('SEPARATION-OF-DUTIES', () => {
  it('passes when conflicting duties go to different clients', () => {
    const { auth, buyer, approver, client } = world();
    buyer.grantTo(client('Erp', 'erp-connector'));
    approver.grantTo(client('Bot', 'approval-bot'));
    expect(reportOf(auth, 'SEPARATION-OF-DUTIES')).toEqual([]);
  });

  it('passes when one of the grants has expired', () => {
    const { auth, buyer, approver, client } = world();
    const erp = client('Erp', 'erp-connector');
    buyer.grantTo(erp);
    approver.grantTo(erp, { expiresAt: new Date(NOW.getTime() - DAY_MS) });
    expect(reportOf(auth, 'SEPARATION-OF-DUTIES')).toEqual([]);
  });

  it('fails when one client would hold two scopes of a conflicting set', () => {
    const { auth, buyer, approver, client } = world();
    const erp = client('Erp', 'erp-connector');
    buyer.grantTo(erp);
    approver.grantTo(erp);
    expect(reportOf(auth, 'SEPARATION-OF-DUTIES')).toEqual([
      "[stack/Auth/Erp] SEPARATION-OF-DUTIES: client 'erp-connector' would hold conflicting scopes po.create (role buyer via binding buyer-grants) " +
        'and po.approve (role approver via binding approver-grants); separation of duties allows at most one of {po.create, po.approve}. Give these duties to different clients',
    ]);
  });
});
