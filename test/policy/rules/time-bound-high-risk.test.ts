import { binding, client, inDays, judge, model, role, scope } from '../world';

const world = (...subjects: Parameters<typeof binding>[2][]) =>
  model({ scopes: [scope('payment.approve', 'critical')], roles: [role('approver', ['payment.approve'])], clients: [client('bot')], roleBindings: [binding('approvers', 'approver', ...subjects)] });

describe('TIME-BOUND-HIGH-RISK', () => {
  it('passes when the grant expires within the window and is justified', () => {
    expect(judge(world(['bot', inDays(30), 'CHG-1']), 'TIME-BOUND-HIGH-RISK', { maxHighRiskGrantDays: 30 })).toEqual([]);
  });

  it('fails when the grant has no expiry and no justification', () => {
    expect(judge(world('bot'), 'TIME-BOUND-HIGH-RISK', { maxHighRiskGrantDays: 30 })).toEqual([
      "[role-bindings approvers] TIME-BOUND-HIGH-RISK: binding 'approvers' grants payment.approve (critical) through role 'approver'; " +
        "subject 'bot' has no expiresAt and has no justification; give it an expiresAt no later than 2026-03-31T12:00:00.000Z (30 days from now) " +
        'and a justification naming the change ticket that approved it',
    ]);
  });

  it('fails when the expiry lies beyond the window of the clock', () => {
    expect(judge(world(['bot', inDays(31), 'CHG-1']), 'TIME-BOUND-HIGH-RISK', { maxHighRiskGrantDays: 30 })[0]).toContain(
      "subject 'bot' expires 2026-04-01T12:00:00Z, beyond the window",
    );
  });

  it('fails when the expiry is a leap second, which cannot be compared, instead of reading it as never expiring', () => {
    expect(judge(world(['bot', '2026-03-10T23:59:60Z', 'CHG-1']), 'TIME-BOUND-HIGH-RISK')[0]).toContain(
      "has an expiresAt that cannot be compared (second 60 (a leap second) cannot be compared with a clock: use :59, got '2026-03-10T23:59:60Z')",
    );
  });
});
