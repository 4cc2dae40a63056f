/**
 * The applied plan is the reviewed plan. Before `terraform plan -out`, CI
 * records the server's revision (every object write bumps it) and the
 * state's lineage and serial beside the plan file; the protected apply job,
 * possibly hours later, reads both again and refuses to apply when either
 * moved, because the reviewed plan no longer describes what apply would do.
 *
 * Recording BEFORE the plan errs on the safe side: a change that lands while
 * Terraform plans makes the check fail, never pass. (Terraform itself also
 * refuses a saved plan whose state serial moved; checking here first says why
 * in the reviewer's terms and covers the server, which Terraform cannot see.)
 */
import { UsageError } from '../model/errors';
import { POLICY_RESOURCE_TYPE } from '../model/terraform-attributes';
import { parsePolicyJson, PolicyDocument, policyJson } from '../policy';
import { PlanJson } from './plan-json';

export const PLAN_GUARD_FORMAT = 1;

export interface StateVersion {
  lineage: string;
  serial: number;
}

export interface PlanGuard {
  format: typeof PLAN_GUARD_FORMAT;
  /** The server planned against. */
  server: string;
  revision: number;
  /** Null when there was no state yet (the first apply). */
  state: StateVersion | null;
  recordedAt: string;
}

/** Lineage and serial from `terraform state pull` output; empty output (no state yet) is null. */
export function stateVersionOf(text: string, source: string): StateVersion | null {
  if (text.trim() === '') return null;
  let state: { lineage?: unknown; serial?: unknown };
  try {
    state = JSON.parse(text);
  } catch {
    throw new UsageError(`${source} is not a Terraform state (pass the output of 'terraform state pull')`);
  }
  if (typeof state.lineage !== 'string' || typeof state.serial !== 'number') {
    throw new UsageError(`${source} has no lineage and serial: pass the output of 'terraform state pull'`);
  }
  return { lineage: state.lineage, serial: state.serial };
}

export function parsePlanGuard(text: string, source: string): PlanGuard {
  let guard: Partial<PlanGuard>;
  try {
    guard = JSON.parse(text);
  } catch {
    throw new UsageError(`${source} is not a plan guard written by 'procurement-scopes plan-guard record'`);
  }
  if (guard.format !== PLAN_GUARD_FORMAT || typeof guard.server !== 'string' || typeof guard.revision !== 'number' || guard.state === undefined) {
    throw new UsageError(`${source} is not a plan guard written by 'procurement-scopes plan-guard record' (format ${PLAN_GUARD_FORMAT})`);
  }
  return guard as PlanGuard;
}

/** What moved since the plan, in words; empty when nothing did. */
export function changesSincePlan(planned: PlanGuard, now: Omit<PlanGuard, 'format' | 'recordedAt'>): string[] {
  const changes: string[] = [];
  if (planned.server !== now.server) changes.push(`the plan was made against ${planned.server}, this apply targets ${now.server}`);
  if (planned.revision !== now.revision) {
    changes.push(`the server changed since the plan: revision ${planned.revision} when planned, ${now.revision} now`);
  }
  const was = planned.state;
  const is = now.state;
  if (was?.lineage !== is?.lineage || was?.serial !== is?.serial) {
    const show = (v: StateVersion | null) => (v ? `serial ${v.serial} of lineage ${v.lineage}` : 'no state');
    changes.push(`the state changed since the plan: ${show(was)} when planned, ${show(is)} now`);
  }
  return changes;
}

/**
 * The role of the token that applies a plan, decided from the plan alone (the CI plan job routes the plan to the
 * protected job holding that token; apply.sh picks it): `admin` when the plan creates, updates or destroys the
 * procurement_policy, whatever the server enforces now (its reviewers are the ones to approve a policy plan, and a
 * plan that turns out to change nothing still applies with an admin token), else `write`.
 */
export function applyRoleOf(plan: PlanJson): 'admin' | 'write' {
  const touches = (plan.resource_changes ?? []).some(
    r => r.mode === 'managed' && r.type === POLICY_RESOURCE_TYPE && !r.change.actions.every(a => a === 'no-op' || a === 'read'),
  );
  return touches ? 'admin' : 'write';
}

/**
 * What a plan does to the server's policy, given the document the server enforces now: the planned document when
 * the plan puts another one in force, 'preset' when it destroys a stored one (the server goes back to its preset),
 * null when it leaves the policy as it is. The provider writes only on such a difference, and only an admin token
 * may write it: a write token's apply of such a plan is refused half way, after Terraform already wrote outputs and
 * dependencies to the state, which then no longer matches the saved plan. `plan-guard check --plan` refuses first.
 */
export function policyChangeOf(plan: PlanJson, live: { document: unknown; source: 'preset' | 'stored' | null }): PolicyDocument | 'preset' | null {
  const change = (plan.resource_changes ?? []).find(r => r.mode === 'managed' && r.type === POLICY_RESOURCE_TYPE);
  if (!change) return null;
  const { actions, after } = change.change;
  if (actions.includes('create') || actions.includes('update')) {
    const text = after?.document;
    // Unknown until apply: judged there, by the provider.
    if (typeof text !== 'string') return null;
    const planned = parsePolicyJson(text);
    if (!planned.ok) return null; // the plan would have failed; nothing to guard
    return policyJson(planned.value) === policyJson(live.document as PolicyDocument) ? null : planned.value;
  }
  return actions.includes('delete') && live.source === 'stored' ? 'preset' : null;
}
