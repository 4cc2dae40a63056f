import { parsePolicy, parsePolicyJson, recommendedPolicy, RECOMMENDED_CONFLICTING_SCOPE_SETS, validatePolicy } from '../../lib/policy';

describe('the policy document', () => {
  it('recommends a stricter preset for prod than for dev', () => {
    expect(recommendedPolicy('prod')).toEqual({
      environment: 'prod',
      allowedScopes: null,
      conflictingScopeSets: RECOMMENDED_CONFLICTING_SCOPE_SETS,
      timeBoundRisks: ['high', 'critical'],
      maxHighRiskGrantDays: 30,
      maxSecretRotationDays: 90,
      externalHighRiskScopes: [],
      severities: { 'LEAST-PRIVILEGE': 'error' },
      exceptions: [],
    });
    expect(recommendedPolicy('Production-EU')).toMatchObject({ maxHighRiskGrantDays: 30, maxSecretRotationDays: 90 });
    expect(recommendedPolicy('dev')).toMatchObject({ maxHighRiskGrantDays: 90, maxSecretRotationDays: 180, severities: {} });
  });

  it('fills what a document leaves out from the preset of its environment, merging severities', () => {
    expect(parsePolicy({ environment: 'prod', maxHighRiskGrantDays: 14, severities: { ROTATION: 'warning' } })).toEqual({
      ...recommendedPolicy('prod'),
      maxHighRiskGrantDays: 14,
      severities: { 'LEAST-PRIVILEGE': 'error', ROTATION: 'warning' },
    });
  });

  it('keeps exceptions with their reason trimmed', () => {
    const exception = { ruleId: 'ROTATION', object: { kind: 'clients', key: 'legacy' }, reason: '  vendor appliance, RISK-12  ', expiresAt: '2026-06-30T00:00:00Z' };
    expect(parsePolicy({ environment: 'prod', exceptions: [exception] }).exceptions).toEqual([{ ...exception, reason: 'vendor appliance, RISK-12' }]);
  });

  it('fails naming every problem: settings out of range, unknown rules, an exception without a reason or expiry', () => {
    const result = validatePolicy({
      environment: 'prod',
      maxHighRiskGrantDays: 0,
      maxSecretRotationDays: 1.5,
      conflictingScopeSets: [['po.create']],
      severities: { NOPE: 'warning' },
      allowedScopes: ['ticket.*', 'Read Users'],
      exceptions: [
        { ruleId: 'REFERENCES', object: { kind: 'roles', key: 'x' }, reason: 'because we said so', expiresAt: null },
        { ruleId: 'ROTATION', object: { kind: 'clients', key: 'x' }, reason: 'because we said so' },
        { ruleId: 'ROTATION', object: { kind: 'clients', key: 'x' }, reason: 'because we said so', expiresAt: '2026-12-31T23:59:60Z' },
      ],
    });
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.problems.map(p => `${p.field}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'maxHighRiskGrantDays: must be >= 1, got 0',
        'maxSecretRotationDays: must be integer, got 1.5',
        'conflictingScopeSets[0]: each set needs at least two scopes',
        expect.stringMatching(/^severities: must name a rule \(ALLOW-LIST, .*\), got 'NOPE'$/),
        "allowedScopes[1]: must be a scope name (catalog.read) or a resource prefix (ticket.*), got 'Read Users'",
        expect.stringMatching(/^exceptions\[0\]\.ruleId: must name a rule an exception may accept \(ALLOW-LIST, SEPARATION-OF-DUTIES, .*\); the others' violations would fail at apply: fix them instead, got 'REFERENCES'$/),
        'exceptions[1].expiresAt: is required',
        "exceptions[2].expiresAt: second 60 (a leap second) cannot be compared with a clock: use :59, got '2026-12-31T23:59:60Z'",
      ]),
    );
  });

  it('fails when an exception has no written reason', () => {
    expect(() => parsePolicy({ environment: 'dev', exceptions: [{ ruleId: 'ROTATION', object: { kind: 'clients', key: 'x' }, reason: '  ok  ', expiresAt: null }] })).toThrow(
      "invalid policy for 'dev':\n  exceptions[0].reason: an exception needs a written reason of at least 10 characters (why the rule does not apply here, and who accepted it), got '  ok  '",
    );
  });

  it('says why a text is not JSON without quoting it back (a short document would be quoted whole)', () => {
    const problems = (text: string) => {
      const result = parsePolicyJson(text);
      return result.ok ? [] : result.problems;
    };
    expect(problems('{"environment": x}')).toEqual([{ path: [], field: '', message: "is not JSON (Unexpected token 'x')" }]);
    expect(problems('{"environment": "dev",')).toEqual([{ path: [], field: '', message: 'is not JSON (Expected double-quoted property name in JSON at position 22)' }]);
  });
});
