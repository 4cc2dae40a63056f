import { binding, client, judge, model, role, scope } from '../world';

const portal = client('supplier-portal', { external: true });

describe('EXTERNAL-ISOLATION', () => {
  it('passes when an external client holds external scopes only', () => {
    const m = model({
      scopes: [scope('rfq.read', 'low', { external: true })],
      roles: [role('supplier', ['rfq.read'])],
      clients: [portal],
      roleBindings: [binding('suppliers', 'supplier', 'supplier-portal')],
    });
    expect(judge(m, 'EXTERNAL-ISOLATION')).toEqual([]);
  });

  it('fails when an external client would hold an internal scope, implied ones included, and does not suggest marking it external', () => {
    const m = model({
      scopes: [scope('ticket.comment'), scope('rfq.respond', 'medium', { external: true, implies: ['ticket.comment'] })],
      roles: [role('supplier', ['rfq.respond'])],
      clients: [portal],
      roleBindings: [binding('suppliers', 'supplier', 'supplier-portal')],
    });
    expect(judge(m, 'EXTERNAL-ISOLATION')).toEqual([
      "[clients supplier-portal] EXTERNAL-ISOLATION: external client 'supplier-portal' would hold internal scope ticket.comment through " +
        'rfq.respond (role supplier via binding suppliers); remove the grant, or grant the client a role whose scopes are all open to external clients',
    ]);
  });

  it('fails on the scope, and still on the client, when a critical scope is marked external without the policy naming it', () => {
    const m = model({
      scopes: [scope('payment.approve', 'critical', { external: true })],
      roles: [role('payer', ['payment.approve'])],
      clients: [portal],
      roleBindings: [binding('payers', 'payer', ['supplier-portal', '2026-03-10T00:00:00Z', 'CHG-1'])],
    });
    expect(judge(m, 'EXTERNAL-ISOLATION', {}, 'prod')).toEqual([
      "[scopes payment.approve] EXTERNAL-ISOLATION: critical scope 'payment.approve' is marked external, but the 'prod' policy does not name it " +
        "in externalHighRiskScopes; do not mark it external; if suppliers really must hold it, name it in externalHighRiskScopes of the 'prod' policy",
      expect.stringContaining("external client 'supplier-portal' would hold critical scope payment.approve (marked external, but not named in the policy's externalHighRiskScopes)"),
    ]);
  });

  it('passes when the policy names the high-risk external scope', () => {
    const m = model({
      scopes: [scope('payment.approve', 'critical', { external: true })],
      roles: [role('payer', ['payment.approve'])],
      clients: [portal],
      roleBindings: [binding('payers', 'payer', 'supplier-portal')],
    });
    expect(judge(m, 'EXTERNAL-ISOLATION', { externalHighRiskScopes: ['payment.approve'] })).toEqual([]);
  });

  it('counts a scope known only by name as internal', () => {
    const m = model({
      scopes: [{ name: 'rfq.read', referenced: true }],
      roles: [role('supplier', ['rfq.read'])],
      clients: [portal],
      roleBindings: [binding('suppliers', 'supplier', 'supplier-portal')],
    });
    expect(judge(m, 'EXTERNAL-ISOLATION')).toEqual([expect.stringContaining('rfq.read (not declared here: counts as internal)')]);
  });
});
