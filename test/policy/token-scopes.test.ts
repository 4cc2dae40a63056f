import { tokenExpiryCap } from '../../lib/model';
import { recommendedPolicy, tokenScopes } from '../../lib/policy';
import { NOW } from './world';

const input = (external: boolean) => ({
  client: { clientId: 'supplier-portal', external },
  scopes: [
    { name: 'rfq.read', implies: [], risk: 'low' as const, external: true },
    { name: 'payment.approve', implies: [], risk: 'critical' as const, external: true },
    { name: 'po.create', implies: [], risk: 'high' as const, external: false },
  ],
  roles: [{ name: 'supplier', scopes: ['rfq.read', 'payment.approve', 'po.create'] }],
  roleBindings: [{ name: 'suppliers', role: 'supplier', subjects: [{ clientId: 'supplier-portal', expiresAt: '2026-03-01T12:00:40Z', justification: 'CHG-1' }] }],
});

describe('tokenScopes', () => {
  it('withholds from an external client what the policy does not open to it, even when the store holds the binding', () => {
    const result = tokenScopes('supplier-portal', input(true), recommendedPolicy('prod'), NOW);
    expect(result.scopes).toEqual(['rfq.read']);
    expect(result.withheld).toEqual([
      { scope: 'payment.approve', ruleId: 'EXTERNAL-ISOLATION', reason: "external client 'supplier-portal' may not hold payment.approve: it is not open to external clients under the 'prod' policy" },
      { scope: 'po.create', ruleId: 'EXTERNAL-ISOLATION', reason: "external client 'supplier-portal' may not hold po.create: it is not open to external clients under the 'prod' policy" },
    ]);
    expect(tokenExpiryCap(result.heldUntil, result.scopes)?.toISOString()).toBe('2026-03-01T12:00:40.000Z');
  });

  it('gives a high-risk external scope only when the policy names it, and everything to an internal client', () => {
    expect(tokenScopes('supplier-portal', input(true), recommendedPolicy('prod', { externalHighRiskScopes: ['payment.approve'] }), NOW).scopes).toEqual(['payment.approve', 'rfq.read']);
    expect(tokenScopes('supplier-portal', input(false), recommendedPolicy('prod'), NOW).scopes).toEqual(['payment.approve', 'po.create', 'rfq.read']);
  });

  it('gives nothing once the grant has expired', () => {
    expect(tokenScopes('supplier-portal', input(false), recommendedPolicy('prod'), new Date('2026-03-01T12:00:40Z')).scopes).toEqual([]);
  });
});
