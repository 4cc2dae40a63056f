import { Testing } from 'cdktf';
import { buildLargeStack } from '../../bench/large-stack';

describe('buildLargeStack (the benchmark generator)', () => {
  it('passes the guardrails and aggregates grants into one binding per role', () => {
    const { stack, authorization } = buildLargeStack(Testing.app(), { clients: 40, scopes: 20, roles: 10, grants: 200 });
    expect(authorization.findings()).toEqual([]);
    const json = JSON.parse(Testing.synth(stack));
    const counts = Object.fromEntries(Object.entries(json.resource as Record<string, object>).map(([type, byId]) => [type, Object.keys(byId).length]));
    expect(counts).toEqual({ procurement_client: 40, procurement_scope: 20, procurement_role: 10, procurement_role_binding: 10, procurement_policy: 1 });
    const subjects = Object.values(json.resource.procurement_role_binding as Record<string, { subject: unknown[] }>).reduce((n, b) => n + b.subject.length, 0);
    expect(subjects).toBe(200);
  });

  it('fails when the grants need more distinct roles per client than exist', () => {
    expect(() => buildLargeStack(Testing.app(), { clients: 10, scopes: 20, roles: 3, grants: 40 })).toThrow(
      '40 grants over 10 clients need 4 distinct roles per client, but there are only 3 roles',
    );
  });
});
