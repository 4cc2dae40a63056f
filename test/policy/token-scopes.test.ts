import { tokenExpiryCap } from '../../lib/model';
import { PolicyRule, recommendedPolicy, RULES, TokenScopeInput, tokenScopes } from '../../lib/policy';
import { DAY_MS, inDays, NOW } from './world';

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
        // po.create is high risk: the grant runs within the window and is justified, so that only separation of duties withholds.
        { name: 'buyers', role: 'buyer', subjects: [{ clientId: 'erp', expiresAt: '2026-03-25T00:00:00Z', justification: 'CHG-1' }] },
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

  it('issues to an external client what external isolation forbids when the policy makes the rule a warning: admission accepted it', () => {
    expect(tokenScopes('supplier-portal', input(true), recommendedPolicy('prod', { severities: { 'EXTERNAL-ISOLATION': 'warning' } }), NOW).scopes).toEqual([
      'payment.approve',
      'po.create',
      'rfq.read',
    ]);
  });

  describe('allow-list', () => {
    const held: TokenScopeInput = {
      client: { clientId: 'erp', external: false },
      scopes: [
        { name: 'catalog.read', implies: [], risk: 'low', external: false },
        { name: 'ticket.write', implies: ['ticket.comment'], risk: 'medium', external: false },
        { name: 'ticket.comment', implies: [], risk: 'low', external: false },
      ],
      roles: [{ name: 'clerk', scopes: ['catalog.read', 'ticket.write'] }],
      roleBindings: [{ name: 'clerks', role: 'clerk', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] }],
    };

    it('withholds a held scope the allow-list no longer names, implied ones included', () => {
      const result = tokenScopes('erp', held, recommendedPolicy('prod', { allowedScopes: ['catalog.*', 'ticket.write'] }), NOW);
      expect(result.scopes).toEqual(['catalog.read', 'ticket.write']);
      expect(result.withheld).toEqual([
        {
          scope: 'ticket.comment',
          ruleId: 'ALLOW-LIST',
          reason: "ticket.comment is not on the allow-list of environment 'prod': add it to allowedScopes of the 'prod' policy, or remove the grant",
        },
      ]);
      expect([...result.heldUntil.keys()]).toEqual(['catalog.read', 'ticket.write']);
    });

    it('issues everything without an allow-list, with an exception on the scope, or with the rule a warning', () => {
      const all = ['catalog.read', 'ticket.comment', 'ticket.write'];
      expect(tokenScopes('erp', held, recommendedPolicy('prod'), NOW).scopes).toEqual(all);
      const exception = { ruleId: 'ALLOW-LIST', object: { kind: 'scopes' as const, key: 'ticket.comment' }, reason: 'Kept for the helpdesk until CHG-9 retires it', expiresAt: null };
      expect(tokenScopes('erp', held, recommendedPolicy('prod', { allowedScopes: ['catalog.*', 'ticket.write'], exceptions: [exception] }), NOW).scopes).toEqual(all);
      expect(tokenScopes('erp', held, recommendedPolicy('prod', { allowedScopes: ['catalog.read'], severities: { 'ALLOW-LIST': 'warning' } }), NOW).scopes).toEqual(all);
    });
  });

  describe('time-bound high risk', () => {
    const held = (expiresAt: string | null, justification: string | null): TokenScopeInput => ({
      client: { clientId: 'erp', external: false },
      scopes: [
        { name: 'catalog.read', implies: [], risk: 'low', external: false },
        { name: 'po.manage', implies: ['po.approve', 'po.read'], risk: 'high', external: false },
        { name: 'po.approve', implies: [], risk: 'critical', external: false },
        { name: 'po.read', implies: [], risk: 'low', external: false },
      ],
      roles: [
        { name: 'reader', scopes: ['catalog.read'] },
        { name: 'manager', scopes: ['po.manage'] },
      ],
      roleBindings: [
        { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] },
        { name: 'managers', role: 'manager', subjects: [{ clientId: 'erp', expiresAt, justification }] },
      ],
    });

    it('issues a justified grant that ends within the window', () => {
      const result = tokenScopes('erp', held(inDays(20), 'CHG-4'), recommendedPolicy('prod'), NOW);
      expect(result.scopes).toEqual(['catalog.read', 'po.approve', 'po.manage', 'po.read']);
      expect(result.heldUntil.get('po.approve')?.toISOString()).toBe('2026-03-21T12:00:00.000Z');
    });

    it("withholds the high and critical scopes of a grant running beyond a window shrunk below its remaining time, keeping the low-risk ones it implies", () => {
      const result = tokenScopes('erp', held(inDays(20), 'CHG-4'), recommendedPolicy('prod', { maxHighRiskGrantDays: 10 }), NOW);
      expect(result.scopes).toEqual(['catalog.read', 'po.read']);
      expect(result.withheld.map(w => [w.scope, w.ruleId])).toEqual([
        ['po.approve', 'TIME-BOUND-HIGH-RISK'],
        ['po.manage', 'TIME-BOUND-HIGH-RISK'],
      ]);
      expect(result.withheld[0].reason).toBe(
        "binding 'managers' grants po.approve (critical) through role 'manager'; subject 'erp' expires 2026-03-21T12:00:00Z, beyond the window: " +
          "the 'prod' policy wants an expiresAt at most 10 days ahead and a justification; renew the grant through a reviewed change",
      );
      expect([...result.heldUntil.keys()].sort()).toEqual(['catalog.read', 'po.read']);
    });

    it('withholds a grant with no expiresAt or no justification, unless an exception on the binding accepts it; a moving clock brings the grant into the window', () => {
      expect(tokenScopes('erp', held(null, 'CHG-4'), recommendedPolicy('prod'), NOW).withheld[0].reason).toContain("subject 'erp' has no expiresAt:");
      expect(tokenScopes('erp', held(inDays(5), null), recommendedPolicy('prod'), NOW).withheld[0].reason).toContain("subject 'erp' has no justification:");
      const exception = { ruleId: 'TIME-BOUND-HIGH-RISK', object: { kind: 'role-bindings' as const, key: 'managers' }, reason: 'Standing approver until the ERP cut-over (CHG-12)', expiresAt: null };
      expect(tokenScopes('erp', held(null, null), recommendedPolicy('prod', { exceptions: [exception] }), NOW).scopes).toEqual(['catalog.read', 'po.approve', 'po.manage', 'po.read']);
      expect(tokenScopes('erp', held(inDays(20), 'CHG-4'), recommendedPolicy('prod', { maxHighRiskGrantDays: 10 }), new Date(NOW.getTime() + 11 * DAY_MS)).scopes).toContain('po.approve');
    });
  });

  describe('the rules that judge at the token endpoint', () => {
    it('are every rule that can withhold a grant, each declaring its token facet', () => {
      expect(RULES.filter(r => r.token).map(r => r.id).sort()).toEqual(['ALLOW-LIST', 'EXTERNAL-ISOLATION', 'SEPARATION-OF-DUTIES', 'TIME-BOUND-HIGH-RISK']);
    });

    it('takes in a rule added later by its facet alone, judged where it is an error and with no exception', () => {
      const noFriday: PolicyRule = {
        id: 'NO-FRIDAY-PAYMENTS',
        severity: 'error',
        exceptionsAllowed: true,
        finding: 'No payments on Fridays.',
        explanation: 'Made up for this test.',
        check: () => [],
        token: { judges: 'scope', withhold: ({ held, clientId }) => held.filter(s => s.startsWith('po.')).map(scope => ({ scope, object: { kind: 'clients', key: clientId }, reason: 'not today' })) },
      };
      const input = { client: { clientId: 'erp', external: false }, scopes: [{ name: 'po.read', implies: [], risk: 'low' as const, external: false }], roles: [{ name: 'r', scopes: ['po.read'] }], roleBindings: [{ name: 'b', role: 'r', subjects: [{ clientId: 'erp', expiresAt: null, justification: null }] }] };
      expect(tokenScopes('erp', input, recommendedPolicy('dev'), NOW, [...RULES, noFriday]).withheld).toEqual([{ scope: 'po.read', ruleId: 'NO-FRIDAY-PAYMENTS', reason: 'not today' }]);
      expect(tokenScopes('erp', input, recommendedPolicy('dev', { severities: { 'NO-FRIDAY-PAYMENTS': 'warning' } }), NOW, [...RULES, noFriday]).scopes).toEqual(['po.read']);
      const exception = { ruleId: 'NO-FRIDAY-PAYMENTS', object: { kind: 'clients' as const, key: 'erp' }, reason: 'Finance runs month-end on Fridays', expiresAt: null };
      expect(tokenScopes('erp', input, recommendedPolicy('dev', { exceptions: [exception] }), NOW, [...RULES, noFriday]).scopes).toEqual(['po.read']);
    });
  });
});
