import { App, TerraformStack, Testing } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authorization, GuardrailRule, ProcurementClient, Role, RULES, runGuardrails, Scope, ScopeRisk } from '../../lib/constructs';
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

  it('keeps suppressed findings visible as info, with the reason', () => {
    const { stack, auth } = testAuthorization();
    const { desk } = troubled(auth);
    auth.suppress(desk, 'ROTATION', 'vendor appliance cannot rotate faster, see RISK-12');
    expect(reportOf(auth, 'ROTATION')).toEqual([
      "[stack/Auth/Desk] ROTATION: client 'desk' rotates its secret every 365 days, more than the 90 days environment 'test' allows: " +
        'set secretRotationDays to 90 or less (suppressed: vendor appliance cannot rotate faster, see RISK-12)',
    ]);
    Testing.synth(stack);
    expect(desk.node.metadata.filter(m => m.type === '@cdktf/info').map(m => m.data)).toEqual([
      expect.stringMatching(/^ROTATION: .* \(suppressed: vendor appliance cannot rotate faster, see RISK-12\)$/),
    ]);
  });

  it('fails when a suppression has no written reason or names an unknown rule', () => {
    const { auth } = testAuthorization();
    expect(() => auth.suppress(auth, 'ROTATION', ' ')).toThrow("[stack/Auth] suppressing ROTATION needs a written reason (at least 10 characters), got ' '");
    expect(() => auth.suppress(auth, 'ROTATE', 'because we said so')).toThrow("[stack/Auth] cannot suppress unknown rule 'ROTATE' (known: ALLOW-LIST,");
  });

  it('reports a rule that throws instead of crashing, and still runs the others', () => {
    const { auth } = testAuthorization();
    troubled(auth);
    const broken: GuardrailRule = { id: 'BROKEN', severity: 'error', finding: 'x', explanation: 'x', check: () => { throw new Error('boom'); } };
    const { model } = auth.guardrailModel();
    const findings = runGuardrails(model, auth.policy, NOW, [broken, ...RULES]);
    expect(findings[0]).toEqual({
      ruleId: 'RULE-FAILED', severity: 'error', path: 'stack/Auth',
      message: "rule BROKEN failed: boom; this is a bug in the rule, please report it (to go on meanwhile, set its severity to 'off' in the policy)",
    });
    expect(findings.map(f => f.ruleId)).toContain('ROTATION');
  });

  it('honours per-rule severities from the policy, and flags unknown ids there', () => {
    const { auth } = testAuthorization({ severities: { ROTATION: 'off', 'LEAST-PRIVILEGE': 'error', NOPE: 'warning' } });
    troubled(auth);
    const findings = auth.findings();
    expect(findings.some(f => f.ruleId === 'ROTATION')).toBe(false);
    expect(findings.find(f => f.ruleId === 'LEAST-PRIVILEGE')?.severity).toBe('error');
    expect(reportOf(auth, 'RULE-FAILED')).toEqual([expect.stringContaining("[stack/Auth] RULE-FAILED: the 'test' policy sets a severity for unknown rule 'NOPE'")]);
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
