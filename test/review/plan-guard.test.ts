/** The guard between a reviewed plan and its apply: what counts as a change, and how it is said. */
import { recommendedPolicy } from '../../lib/policy';
import { applyRoleOf, changesSincePlan, parsePlanGuard, PlanGuard, policyChangeOf, stateVersionOf } from '../../lib/review/plan-guard';
import { Action, PlanJson } from '../../lib/review/plan-json';

const planned: PlanGuard = {
  format: 1,
  server: 'https://auth.example.com',
  revision: 41,
  state: { lineage: 'a1b2', serial: 7 },
  recordedAt: '2026-11-29T10:00:00.000Z',
};
const now = { server: planned.server, revision: planned.revision, state: planned.state };

describe('plan guard', () => {
  test('nothing moved: no changes', () => {
    expect(changesSincePlan(planned, now)).toEqual([]);
  });

  test('fails when the server revision moved, naming both revisions', () => {
    expect(changesSincePlan(planned, { ...now, revision: 43 })).toEqual(['the server changed since the plan: revision 41 when planned, 43 now']);
  });

  test('fails when the state serial or lineage moved, or the state appeared or vanished', () => {
    expect(changesSincePlan(planned, { ...now, state: { lineage: 'a1b2', serial: 8 } })).toEqual([
      'the state changed since the plan: serial 7 of lineage a1b2 when planned, serial 8 of lineage a1b2 now',
    ]);
    expect(changesSincePlan(planned, { ...now, state: { lineage: 'ffff', serial: 7 } })).toHaveLength(1);
    expect(changesSincePlan({ ...planned, state: null }, now)).toEqual(['the state changed since the plan: no state when planned, serial 7 of lineage a1b2 now']);
  });

  test('fails when the apply targets another server', () => {
    expect(changesSincePlan(planned, { ...now, server: 'https://other.example.com' })).toEqual([
      'the plan was made against https://auth.example.com, this apply targets https://other.example.com',
    ]);
  });

  test('reads terraform state pull output; empty output is no state', () => {
    expect(stateVersionOf('{"version":4,"serial":3,"lineage":"x"}', 'state.json')).toEqual({ lineage: 'x', serial: 3 });
    expect(stateVersionOf('\n', 'state.json')).toBeNull();
    expect(() => stateVersionOf('{"version":4}', 'state.json')).toThrow("state.json has no lineage and serial: pass the output of 'terraform state pull'");
    expect(() => stateVersionOf('nope', 'state.json')).toThrow('is not a Terraform state');
  });

  test('fails when the guard file is not one', () => {
    expect(parsePlanGuard(JSON.stringify(planned), 'g.json')).toEqual(planned);
    expect(() => parsePlanGuard('{"format":2}', 'g.json')).toThrow("g.json is not a plan guard written by 'procurement-scopes plan-guard record' (format 1)");
  });

  describe('what a plan does to the policy (plan-guard check --plan)', () => {
    const preset = recommendedPolicy('dev');
    const policyPlan = (actions: Action[], document: unknown): PlanJson => ({
      format_version: '1.2',
      resource_changes: [
        { address: 'procurement_scope.x', mode: 'managed', type: 'procurement_scope', name: 'x', change: { actions: ['create'], before: null, after: { name: 'x' } } },
        {
          address: 'procurement_policy.dev',
          mode: 'managed',
          type: 'procurement_policy',
          name: 'dev',
          change: { actions, before: null, after: actions.includes('delete') && !actions.includes('create') ? null : { environment: 'dev', document } },
        },
      ],
    });
    const stored = { document: preset, source: 'stored' as const };

    test('another document in force is a change, in any spelling the same one is none', () => {
      const changed = { ...preset, maxHighRiskGrantDays: 14 };
      expect(policyChangeOf(policyPlan(['update'], JSON.stringify(changed)), stored)).toEqual(changed);
      // Key order and the preset's fields left out: the server enforces exactly this already.
      expect(policyChangeOf(policyPlan(['create'], JSON.stringify({ environment: 'dev' })), { ...stored, source: 'preset' })).toBeNull();
      expect(policyChangeOf(policyPlan(['no-op'], JSON.stringify(changed)), stored)).toBeNull();
      expect(policyChangeOf({ format_version: '1.2', resource_changes: [] }, stored)).toBeNull();
    });

    test('destroying a stored policy puts the preset back, a change; destroying while the preset is in force is none', () => {
      expect(policyChangeOf(policyPlan(['delete'], null), stored)).toBe('preset');
      expect(policyChangeOf(policyPlan(['delete'], null), { ...stored, source: 'preset' })).toBeNull();
    });

    test('a document unknown until apply is left to the provider', () => {
      expect(policyChangeOf(policyPlan(['update'], undefined), stored)).toBeNull();
    });

    test('the token a plan needs (plan-guard role, which CI routes on): admin whenever it creates, updates or destroys the policy', () => {
      const document = JSON.stringify({ environment: 'dev' });
      for (const actions of [['create'], ['update'], ['delete'], ['delete', 'create']] as Action[][]) {
        expect(applyRoleOf(policyPlan(actions, document))).toBe('admin');
      }
      // Known or not, in force or not: the plan alone decides, so that the plan job can route it with a read token.
      expect(applyRoleOf(policyPlan(['update'], undefined))).toBe('admin');
      for (const actions of [['no-op'], ['read']] as Action[][]) expect(applyRoleOf(policyPlan(actions, document))).toBe('write');
      expect(applyRoleOf({ format_version: '1.2', resource_changes: [] })).toBe('write');
      expect(applyRoleOf({ format_version: '1.2' })).toBe('write');
    });
  });
});
