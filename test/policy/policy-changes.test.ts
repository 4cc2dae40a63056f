/** A policy change in a reviewer's words: each setting before → after, each exception added, changed or removed. */
import { policyChanges, recommendedPolicy } from '../../lib/policy';

const before = recommendedPolicy('prod');
const exception = { ruleId: 'EXTERNAL-ISOLATION', object: { kind: 'clients' as const, key: 'acme' }, reason: 'Acme runs our ticket desk, contract C-77', expiresAt: '2027-01-31T00:00:00Z' };

describe('policyChanges', () => {
  test('the same document: nothing', () => {
    expect(policyChanges(before, { ...before })).toEqual([]);
  });

  test('settings: numbers before → after, sets as what was added and removed, severities rule by rule', () => {
    const after = {
      ...before,
      maxHighRiskGrantDays: 14,
      allowedScopes: ['ticket.*'],
      conflictingScopeSets: [...before.conflictingScopeSets.slice(1), ['rfq.award', 'po.approve']],
      severities: { 'LEAST-PRIVILEGE': 'off' as const },
    };
    expect(policyChanges(before, after)).toEqual([
      `allowedScopes: ${before.allowedScopes === null ? 'none' : `[${before.allowedScopes.join(', ')}]`} → [ticket.*]`,
      `conflictingScopeSets: + {rfq.award, po.approve}, − {${before.conflictingScopeSets[0].join(', ')}}`,
      `maxHighRiskGrantDays: ${before.maxHighRiskGrantDays} → 14`,
      `severities.LEAST-PRIVILEGE: ${before.severities['LEAST-PRIVILEGE'] ?? 'default'} → off`,
    ]);
  });

  test('exceptions added, changed (expiry, reason) and removed, each with rule, object, expiry and reason', () => {
    const added = policyChanges(before, { ...before, exceptions: [exception] });
    expect(added).toEqual(['exception added: EXTERNAL-ISOLATION for clients acme until 2027-01-31T00:00:00Z, because "Acme runs our ticket desk, contract C-77"']);
    const withIt = { ...before, exceptions: [exception] };
    expect(policyChanges(withIt, { ...before, exceptions: [{ ...exception, expiresAt: null }] })).toEqual([
      'exception changed: EXTERNAL-ISOLATION for clients acme: until 2027-01-31T00:00:00Z → no end',
    ]);
    expect(policyChanges(withIt, before)).toEqual([
      'exception removed: EXTERNAL-ISOLATION for clients acme (was until 2027-01-31T00:00:00Z, because "Acme runs our ticket desk, contract C-77")',
    ]);
  });
});
