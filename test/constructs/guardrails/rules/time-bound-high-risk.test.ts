import { ProcurementClient, Role, Scope, ScopeRisk } from '../../../../lib/constructs';
import { DAY_MS, NOW, reportOf, testAuthorization } from '../../fixture';

function world() {
  const fixture = testAuthorization({ maxHighRiskGrantDays: 30 });
  const { auth } = fixture;
  const approve = new Scope(auth, 'PaymentApprove', { name: 'payment.approve', description: 'Pay.', risk: ScopeRisk.CRITICAL });
  const role = new Role(auth, 'Approver', { name: 'approver', description: 'Approves.', scopes: [approve] });
  const bot = new ProcurementClient(auth, 'Bot', { clientId: 'approval-bot', displayName: 'Bot', owner: 'automation' });
  return { ...fixture, role, bot };
}

const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

describe('TIME-BOUND-HIGH-RISK', () => {
  it('passes when the grant expires within the window and is justified', () => {
    const { auth, role, bot } = world();
    role.grantTo(bot, { expiresAt: inDays(30), justification: 'CHG-1' });
    expect(reportOf(auth, 'TIME-BOUND-HIGH-RISK')).toEqual([]);
  });

  it('fails when the grant has no expiry and no justification', () => {
    const { auth, role, bot } = world();
    role.grantTo(bot);
    expect(reportOf(auth, 'TIME-BOUND-HIGH-RISK')).toEqual([
      "[stack/Auth/Approver/Grants] TIME-BOUND-HIGH-RISK: binding 'approver-grants' grants payment.approve (critical) through role 'approver'; " +
        "subject 'approval-bot' has no expiresAt: give it an expiresAt no later than 2026-03-31T12:00:00.000Z (30 days from now); " +
        'and has no justification: name the change ticket that approved it',
    ]);
  });

  it('fails when the expiry lies beyond the window of the injected clock', () => {
    const { auth, role, bot } = world();
    role.grantTo(bot, { expiresAt: inDays(31), justification: 'CHG-1' });
    expect(reportOf(auth, 'TIME-BOUND-HIGH-RISK')[0]).toContain("subject 'approval-bot' expires 2026-04-01T12:00:00Z, beyond the window");
  });
});
