import { App, TerraformStack, Testing } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authorization, ProcurementClient, ProcurementPolicy, Role, Scope, ScopeRisk } from '../../lib/constructs';
import { NOW, reportOf, testAuthorization } from './fixture';

/** Breaks ROTATION and TIME-BOUND-HIGH-RISK, and draws a LEAST-PRIVILEGE finding. */
function troubled(auth: Authorization) {
  const comment = new Scope(auth, 'TicketComment', { name: 'ticket.comment', description: 'Comment.', risk: ScopeRisk.LOW });
  const write = new Scope(auth, 'TicketWrite', { name: 'ticket.write', description: 'Write.', risk: ScopeRisk.MEDIUM, implies: [comment] });
  const approve = new Scope(auth, 'PaymentApprove', { name: 'payment.approve', description: 'Pay.', risk: ScopeRisk.CRITICAL });
  const desk = new ProcurementClient(auth, 'Desk', { clientId: 'desk', displayName: 'Desk', owner: 'service-desk', secretRotationDays: 365 });
  new Role(auth, 'Agent', { name: 'agent', description: 'Writes.', scopes: [write, comment] }).grantTo(desk);
  new Role(auth, 'Approver', { name: 'approver', description: 'Pays.', scopes: [approve] }).grantTo(desk);
  return { desk };
}

/** Synthesizes a real App to a temporary directory and answers the error it fails with. */
function synthError(build: (stack: TerraformStack) => void): string {
  const outdir = mkdtempSync(join(tmpdir(), 'procurement-synth-'));
  const app = new App({ outdir });
  build(new TerraformStack(app, 'stack'));
  try {
    app.synth();
    return 'synth did not fail';
  } catch (error) {
    return (error as Error).message;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('Authorization', () => {
  it('fails synth listing every error at once as [construct/path] RULE-ID: message', () => {
    const message = synthError(stack => troubled(new Authorization(stack, 'Auth', { environment: 'prod', clock: () => NOW })));
    expect(message).toMatch(/^\[stack\/Auth\/Desk\] ROTATION: client 'desk' rotates its secret every 365 days/m);
    expect(message).toMatch(/^\[stack\/Auth\/Approver\/Grants\] TIME-BOUND-HIGH-RISK: binding 'approver-grants' grants payment.approve \(critical\)/m);
    // prod's recommended policy makes LEAST-PRIVILEGE an error.
    expect(message).toMatch(/^\[stack\/Auth\/Desk\] LEAST-PRIVILEGE: client 'desk' holds ticket.comment/m);
  });

  it('synthesizes when only warnings remain, and reports them as warning annotations', () => {
    const { stack, auth } = testAuthorization();
    const comment = new Scope(auth, 'TicketComment', { name: 'ticket.comment', description: 'Comment.', risk: ScopeRisk.LOW });
    const write = new Scope(auth, 'TicketWrite', { name: 'ticket.write', description: 'Write.', risk: ScopeRisk.MEDIUM, implies: [comment] });
    const desk = new ProcurementClient(auth, 'Desk', { clientId: 'desk', displayName: 'Desk', owner: 'service-desk' });
    new Role(auth, 'Agent', { name: 'agent', description: 'Writes.', scopes: [write, comment] }).grantTo(desk);
    Testing.synth(stack);
    const annotations = desk.node.metadata.map(m => [m.type, m.data]);
    expect(annotations).toEqual([['@cdktf/warn', expect.stringMatching(/^LEAST-PRIVILEGE: client 'desk' holds ticket.comment/)]]);
    expect(desk.node.metadata[0].trace).toBeUndefined();
  });

  it('reports errors as error annotations on the construct at fault, once however often it synthesizes', () => {
    const { stack, auth } = testAuthorization();
    const { desk } = troubled(auth);
    Testing.synth(stack);
    Testing.synth(stack);
    expect(desk.node.metadata.map(m => [m.type, m.data])).toEqual([
      ['@cdktf/warn', expect.stringMatching(/^LEAST-PRIVILEGE: /)],
      ['@cdktf/error', expect.stringMatching(/^ROTATION: /)],
    ]);
  });

  it('keeps suppressed findings visible as info, with the reason, as exceptions of the policy document', () => {
    const { stack, auth } = testAuthorization();
    const { desk } = troubled(auth);
    auth.suppress(desk, 'ROTATION', 'vendor appliance cannot rotate faster, see RISK-12');
    expect(reportOf(auth, 'ROTATION')).toEqual([
      "[stack/Auth/Desk] ROTATION: client 'desk' rotates its secret every 365 days, more than the 180 days environment 'test' allows; " +
        'set secretRotationDays to 180 or less (suppressed: vendor appliance cannot rotate faster, see RISK-12)',
    ]);
    expect(auth.policyDocument().exceptions).toEqual([
      { ruleId: 'ROTATION', object: { kind: 'clients', key: 'desk' }, reason: 'vendor appliance cannot rotate faster, see RISK-12', expiresAt: null },
    ]);
    Testing.synth(stack);
    expect(desk.node.metadata.filter(m => m.type === '@cdktf/info').map(m => m.data)).toEqual([
      expect.stringMatching(/^ROTATION: .* \(suppressed: vendor appliance cannot rotate faster, see RISK-12\)$/),
    ]);
  });

  it('reaches every object below the construct a suppression names, until the suppression expires', () => {
    const { auth } = testAuthorization();
    troubled(auth);
    auth.suppress(auth, 'LEAST-PRIVILEGE', 'tickets are migrated in CHG-77', { expiresAt: new Date(NOW.getTime() + 86_400_000) });
    expect(auth.findings().find(f => f.ruleId === 'LEAST-PRIVILEGE')?.suppressedBecause).toBe('tickets are migrated in CHG-77');
    expect(auth.policyDocument().exceptions.map(e => `${e.object.kind} ${e.object.key}`)).toEqual(
      expect.arrayContaining(['clients desk', 'roles agent', 'role-bindings agent-grants', 'scopes ticket.write']),
    );
    const { auth: later } = testAuthorization();
    troubled(later);
    later.suppress(later, 'LEAST-PRIVILEGE', 'tickets are migrated in CHG-77', { expiresAt: '2026-03-01T00:00:00Z' });
    expect(later.findings().find(f => f.ruleId === 'LEAST-PRIVILEGE')?.suppressedBecause).toBeUndefined();
  });

  it('reports a suppression it cannot accept as a finding of the rule it names, once, without a stack trace', () => {
    const message = synthError(stack => {
      const auth = new Authorization(stack, 'Auth', { environment: 'dev', clock: () => NOW });
      const { desk } = troubled(auth);
      auth.suppress(desk, 'ROTATION', ' ok ');
      auth.suppress(desk, 'ROTATE', 'because we said so');
      auth.suppress(desk, 'REFERENCES', 'because we said so');
    });
    expect(message.match(/^\[stack\/Auth\/Desk\] ROTATION: suppressing ROTATION: .*$/gm)).toEqual([
      "[stack/Auth/Desk] ROTATION: suppressing ROTATION: an exception needs a written reason of at least 10 characters (why the rule does not apply here, and who accepted it), got ' ok '",
    ]);
    expect(message).toMatch(/^\[stack\/Auth\/Desk\] PROPS: suppressing ROTATE: ruleId must name a rule an exception may accept \(ALLOW-LIST, .*, got 'ROTATE'$/m);
    expect(message).toMatch(/^\[stack\/Auth\/Desk\] REFERENCES: suppressing REFERENCES: ruleId .*; the others' violations would fail at apply: fix them instead, got 'REFERENCES'$/m);
    // The unaccepted suppression suppresses nothing.
    expect(message).toMatch(/^\[stack\/Auth\/Desk\] ROTATION: client 'desk' rotates its secret every 365 days/m);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('fails when its policy was built for another environment', () => {
    const auth = new Authorization(new TerraformStack(Testing.app(), 'stack'), 'Auth', { environment: 'prod', policy: ProcurementPolicy.recommended('dev'), clock: () => NOW });
    expect(reportOf(auth)).toEqual([
      "[stack/Auth] PROPS: policy is built for environment 'dev', but this Authorization serves 'prod'; build it for 'prod' (e.g. ProcurementPolicy.recommended('prod', {...}))",
    ]);
  });

  it('defaults to the recommended policy of its environment and computes day-aligned expiries from its clock', () => {
    const auth = new Authorization(new TerraformStack(Testing.app(), 'stack'), 'Auth', { environment: 'prod', clock: () => NOW });
    expect(auth.policy.maxHighRiskGrantDays).toBe(30);
    expect(auth.daysFromNow(28).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    // NOW is 2026-03-01T12:00Z: 14 days on is 03-15T12:00, so the next 1st or 16th is 03-16.
    expect(auth.renewingExpiry(14).toISOString()).toBe('2026-03-16T00:00:00.000Z');
    expect(auth.renewingExpiry(16).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('renews expiries on the 1st and 16th, always at least minDays and less than minDays + 16 days ahead', () => {
    const seen = new Set<string>();
    let at = 0;
    const auth = new Authorization(new TerraformStack(Testing.app(), 'stack'), 'Auth', { environment: 'prod', clock: () => new Date(at) });
    // Every 7 hours for a year, so every time of day and every month length is met.
    for (at = Date.parse('2027-01-01T00:00:00Z'); at < Date.parse('2028-01-01T00:00:00Z'); at += 7 * 3_600_000) {
      const expiry = auth.renewingExpiry(14);
      const daysAhead = (expiry.getTime() - at) / 86_400_000;
      expect(daysAhead).toBeGreaterThanOrEqual(14);
      expect(daysAhead).toBeLessThan(30);
      expect([1, 16]).toContain(expiry.getUTCDate());
      seen.add(expiry.toISOString());
    }
    expect(seen.size).toBe(25); // 2027-01-16 to 2028-01-16: twice a month, not daily
  });
});
