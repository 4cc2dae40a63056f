import { ProcurementPolicy, RECOMMENDED_CONFLICTING_SCOPE_SETS } from '../../../lib/constructs';
import { recommendedPolicy } from '../../../lib/policy';

describe('ProcurementPolicy', () => {
  // The numbers docs/guardrails.md's rule table states: pinned here, not read back from the preset.
  it('recommends a stricter preset for prod than for dev: the windows docs/guardrails.md states, as the policy document', () => {
    const prod = ProcurementPolicy.recommended('prod');
    expect(prod.document).toEqual(recommendedPolicy('prod'));
    const dev = ProcurementPolicy.recommended('dev');
    expect(prod.document).toEqual(recommendedPolicy('prod'));
    expect([prod.maxHighRiskGrantDays, dev.maxHighRiskGrantDays]).toEqual([30, 90]);
    expect([prod.maxSecretRotationDays, dev.maxSecretRotationDays]).toEqual([90, 180]);
    expect(prod.conflictingScopeSets).toEqual(
      expect.arrayContaining([
        expect.arrayContaining(['po.create', 'po.approve']),
        expect.arrayContaining(['invoice.submit', 'payment.approve']),
        expect.arrayContaining(['catalog.read', 'payment.approve']),
      ]),
    );
    expect(prod.severityOf('LEAST-PRIVILEGE', 'warning')).toBe('error');
    expect(dev.severityOf('LEAST-PRIVILEGE', 'warning')).toBe('warning');
    expect(prod.conflictingScopeSets).toEqual(RECOMMENDED_CONFLICTING_SCOPE_SETS);
    expect(prod.timeBoundRisks).toEqual(['high', 'critical']);
  });

  it('lets overrides replace single settings of the preset', () => {
    const prod = ProcurementPolicy.recommended('prod', { maxHighRiskGrantDays: 14, severities: { ROTATION: 'warning' } });
    expect(prod.maxHighRiskGrantDays).toBe(14);
    expect(prod.severityOf('ROTATION', 'error')).toBe('warning');
    expect(prod.severityOf('LEAST-PRIVILEGE', 'warning')).toBe('error');
  });

  it('matches allow-list entries exactly or by resource prefix', () => {
    const policy = new ProcurementPolicy({ environment: 'prod', allowedScopes: ['catalog.read', 'ticket.*'] });
    expect(['catalog.read', 'catalog.write', 'ticket.comment', 'tickets.read'].map(s => policy.allows(s))).toEqual([true, false, true, false]);
    expect(new ProcurementPolicy({ environment: 'dev' }).allows('anything.at-all')).toBe(true);
  });

  it('reads a policy document, as the server holds it', () => {
    expect(ProcurementPolicy.fromDocument({ environment: 'prod', allowedScopes: ['catalog.*'] }).allowedScopes).toEqual(['catalog.*']);
  });

  it('fails when a setting is out of range or names an unknown rule, naming every bad setting', () => {
    expect(() => new ProcurementPolicy({ environment: 'prod', maxHighRiskGrantDays: 0, maxSecretRotationDays: 1.5, conflictingScopeSets: [['po.create']], severities: { NOPE: 'warning' } })).toThrow(
      "invalid policy for 'prod':\n  conflictingScopeSets[0]: each set needs at least two scopes\n" +
        '  maxHighRiskGrantDays: must be >= 1, got 0\n' +
        '  maxSecretRotationDays: must be integer, got 1.5\n' +
        "  severities: must name a rule (ALLOW-LIST, SEPARATION-OF-DUTIES, EXTERNAL-ISOLATION, TIME-BOUND-HIGH-RISK, EXPIRED-GRANT, LEAST-PRIVILEGE, ROTATION, REFERENCES, DUPLICATES), got 'NOPE'",
    );
  });
});
