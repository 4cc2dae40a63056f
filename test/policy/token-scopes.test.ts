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

  describe('separation of duties', () => {
    const held = {
      client: { clientId: 'erp', external: false },
      scopes: [
        { name: 'po.create', implies: [], risk: 'high' as const, external: false },
        { name: 'po.manage', implies: ['po.approve'], risk: 'critical' as const, external: false },
        { name: 'po.approve', implies: [], risk: 'critical' as const, external: false },
        { name: 'catalog.read', implies: [], risk: 'low' as const, external: false },
      ],
      roles: [
        { name: 'buyer', scopes: ['po.create', 'catalog.read'] },
        { name: 'manager', scopes: ['po.manage'] },
      ],
      roleBindings: [
        { name: 'buyers', role: 'buyer', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] },
        { name: 'managers', role: 'manager', subjects: [{ clientId: 'erp', expiresAt: '2026-03-20T00:00:00Z', justification: 'CHG-2' }] },
      ],
    };

    it('fails closed on a conflicting pair the store holds: withholds every duty of the set, and a scope that implies one', () => {
      const result = tokenScopes('erp', held, recommendedPolicy('prod'), NOW);
      expect(result.scopes).toEqual(['catalog.read']);
      expect(result.withheld.map(w => [w.scope, w.ruleId])).toEqual([
        ['po.approve', 'SEPARATION-OF-DUTIES'],
        ['po.create', 'SEPARATION-OF-DUTIES'],
        ['po.manage', 'SEPARATION-OF-DUTIES'],
      ]);
      expect(result.withheld[0].reason).toBe(
        "client 'erp' holds conflicting scopes po.create and po.approve, and separation of duties allows at most one of {po.create, po.approve} " +
          "under the 'prod' policy: remove one of the grants (or add an exception for the client)",
      );
      expect([...result.heldUntil.keys()]).toEqual(['catalog.read']);
    });

    it('issues both when an active exception on the client accepts it, or the rule is a warning or off; not once the exception expired', () => {
      const exception = { ruleId: 'SEPARATION-OF-DUTIES', object: { kind: 'clients' as const, key: 'erp' }, reason: 'Month-end close, approved by finance', expiresAt: '2026-03-02T00:00:00Z' };
      const all = ['catalog.read', 'po.approve', 'po.create', 'po.manage'];
      expect(tokenScopes('erp', held, recommendedPolicy('prod', { exceptions: [exception] }), NOW).scopes).toEqual(all);
      expect(tokenScopes('erp', held, recommendedPolicy('prod', { severities: { 'SEPARATION-OF-DUTIES': 'warning' } }), NOW).scopes).toEqual(all);
      expect(tokenScopes('erp', held, recommendedPolicy('prod', { severities: { 'SEPARATION-OF-DUTIES': 'off' } }), NOW).scopes).toEqual(all);
      expect(tokenScopes('erp', held, recommendedPolicy('prod', { exceptions: [exception] }), new Date('2026-03-02T00:00:00Z')).scopes).toEqual(['catalog.read']);
    });

    it('issues one duty once the other grant has expired, and judges what external isolation left', () => {
      expect(tokenScopes('erp', held, recommendedPolicy('prod'), new Date('2026-03-20T00:00:00Z')).scopes).toEqual(['catalog.read', 'po.create']);
      // An external client never holds po.manage/po.approve (internal scopes): no conflict is left to withhold po.create for.
      const external = { ...held, client: { clientId: 'erp', external: true }, scopes: held.scopes.map(s => (s.name === 'po.create' || s.name === 'catalog.read' ? { ...s, external: true, risk: 'low' as const } : s)) };
      expect(tokenScopes('erp', external, recommendedPolicy('prod'), NOW).scopes).toEqual(['catalog.read', 'po.create']);
    });
  });
});
