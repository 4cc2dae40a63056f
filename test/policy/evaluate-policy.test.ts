import { evaluatePolicy, isBlocking, PolicyRule, recommendedPolicy, RULES } from '../../lib/policy';
import { client, model, NOW } from './world';

const legacy = model({ clients: [client('legacy', { secretRotationDays: 365 })] });
const exception = (expiresAt: string | null) => ({ ruleId: 'ROTATION', object: { kind: 'clients' as const, key: 'legacy' }, reason: 'vendor appliance, RISK-12', expiresAt });

describe('evaluatePolicy', () => {
  it('reports a finding an exception accepts, marked and not blocking', () => {
    const [finding] = evaluatePolicy(legacy, recommendedPolicy('prod', { exceptions: [exception('2026-06-30T00:00:00Z')] }), NOW);
    expect(finding).toMatchObject({ ruleId: 'ROTATION', object: { kind: 'clients', key: 'legacy' }, exception: exception('2026-06-30T00:00:00Z') });
    expect(isBlocking(finding)).toBe(false);
  });

  it('blocks again once the exception has expired', () => {
    const [finding] = evaluatePolicy(legacy, recommendedPolicy('prod', { exceptions: [exception('2026-03-01T12:00:00Z')] }), NOW);
    expect(finding.exception).toBeUndefined();
    expect(isBlocking(finding)).toBe(true);
  });

  it('honours per-rule severities, off included', () => {
    expect(evaluatePolicy(legacy, recommendedPolicy('prod', { severities: { ROTATION: 'warning' } }), NOW)[0].severity).toBe('warning');
    expect(evaluatePolicy(legacy, recommendedPolicy('prod', { severities: { ROTATION: 'off' } }), NOW)).toEqual([]);
  });

  it('reports a rule that throws instead of crashing, and still runs the others', () => {
    const broken: PolicyRule = { id: 'BROKEN', severity: 'error', exceptionsAllowed: false, finding: 'x', explanation: 'x', check: () => { throw new Error('boom'); } };
    const findings = evaluatePolicy(legacy, recommendedPolicy('prod'), NOW, [broken, ...RULES]);
    expect(findings[0]).toEqual({
      ruleId: 'RULE-FAILED', severity: 'error', object: null, related: [],
      message: 'rule BROKEN failed: boom',
      remedy: "this is a bug in the rule, please report it (to go on meanwhile, set its severity to 'off' in the policy)",
    });
    expect(findings.map(f => f.ruleId)).toContain('ROTATION');
  });
});
