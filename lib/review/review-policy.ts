/**
 * What the policy decided about a plan: the policy's findings on the picture
 * after apply, each marked new (not found on the live picture) or standing,
 * accepted by an exception or not; and the exceptions that apply to objects
 * in the plan. The rules are lib/policy's, run on the plan's models: the
 * review never judges with rules or a preset of its own.
 */
import { UsageError } from '../model/errors';
import { POLICY_RESOURCE_TYPE } from '../model/terraform-attributes';
import { evaluatePolicy, findingText, ObjectRef, parsePolicy, policyChanges, PolicyDocument, PolicyError, PolicyException, sameObject } from '../policy';
import { PlanJson, stateResources } from './plan-json';
import { Model } from './terraform-resources';

export interface ReviewPolicies {
  /** The policy the server holds now (the live picture's); null when the plan does not say. */
  before: PolicyDocument | null;
  /** The policy after apply. */
  after: PolicyDocument;
  source: 'given' | 'plan' | 'server';
}

export interface ReviewFinding {
  ruleId: string;
  severity: 'error' | 'warning';
  object: ObjectRef | null;
  related: readonly ObjectRef[];
  /** What is wrong and what to do. */
  text: string;
  /** The exception that accepts it, when one does. */
  exception: Pick<PolicyException, 'reason' | 'expiresAt'> | null;
  /** False when the live picture already had this finding before the plan. */
  isNew: boolean;
  /**
   * Needs a reviewer: an error introduced by this plan, even when an exception
   * accepts it. A finding that stands from before (an exception accepted it,
   * or the policy allowed it then) does not flag every later plan; warnings
   * show but do not flag, as they do not fail synth.
   */
  flagged: boolean;
}

export interface ExceptionEntry extends PolicyException {
  /** Added by this plan (the policy before did not hold it). */
  isNew: boolean;
  /** Whether it accepts a finding of the picture after apply. */
  inUse: boolean;
}

/**
 * The policy the caller gave; else the server's now, followed by the plan's when the plan changes it; else the one
 * the plan manages as code; null when there is none.
 */
export function policiesOf(plan: PlanJson, given: PolicyDocument | undefined, server?: PolicyDocument): ReviewPolicies | null {
  const planned = documentsIn(plan);
  if (given) return { before: planned.before ?? given, after: given, source: 'given' };
  if (server) return { before: server, after: planned.changed ? planned.after ?? server : server, source: 'server' };
  if (planned.after) return { before: planned.before, after: planned.after, source: 'plan' };
  return null;
}

export function reviewFindings(live: Model, planned: Model, policies: ReviewPolicies, now: Date): ReviewFinding[] {
  const identity = (f: { ruleId: string; message: string; object: ObjectRef | null }) => `${f.ruleId} ${f.object?.kind} ${f.object?.key} ${f.message}`;
  const before = new Set(evaluatePolicy(live, policies.before ?? policies.after, now).map(identity));
  return evaluatePolicy(planned, policies.after, now).map(f => {
    const isNew = !before.has(identity(f));
    return {
      ruleId: f.ruleId,
      severity: f.severity,
      object: f.object,
      related: f.related,
      text: findingText(f),
      exception: f.exception ? { reason: f.exception.reason, expiresAt: f.exception.expiresAt } : null,
      isNew,
      flagged: isNew && f.severity === 'error',
    };
  });
}

/** Every exception of the policy after apply whose object is in the picture after apply. */
export function reviewExceptions(planned: Model, policies: ReviewPolicies, findings: readonly ReviewFinding[]): ExceptionEntry[] {
  const keys = new Set([
    ...planned.scopes.map(s => `scopes ${s.name}`),
    ...planned.roles.map(r => `roles ${r.name}`),
    ...planned.clients.map(c => `clients ${c.clientId}`),
    ...planned.roleBindings.map(b => `role-bindings ${b.name}`),
  ]);
  const known = (e: PolicyException, list: readonly PolicyException[]) => list.some(o => o.ruleId === e.ruleId && sameObject(o.object, e.object) && o.reason === e.reason);
  return policies.after.exceptions
    .filter(e => keys.has(`${e.object.kind} ${e.object.key}`))
    .map(e => ({
      ...e,
      isNew: policies.before !== null && !known(e, policies.before.exceptions),
      inUse: findings.some(f => f.ruleId === e.ruleId && f.object !== null && sameObject(f.object, e.object) && f.exception?.reason === e.reason),
    }));
}

/** Reads a policy document file for `review --policy`. */
export function readPolicyFile(text: string, source: string): PolicyDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not JSON (${(e as Error).message}); pass a policy document such as {"environment": "prod"}`);
  }
  try {
    return parsePolicy(value);
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(`${source}: ${e.message}`);
    throw e;
  }
}

/** What the plan changes in its procurement_policy, setting by setting and exception by exception; empty when nothing. */
export function plannedPolicyChanges(plan: PlanJson): string[] {
  const { before, after, changed } = documentsIn(plan);
  if (!changed || after === null) return [];
  return before === null ? [`new policy for '${after.environment}'`] : policyChanges(before, after);
}

/** The policy documents of the plan's `procurement_policy` resource: live (prior state) and planned. */
function documentsIn(plan: PlanJson): { before: PolicyDocument | null; after: PolicyDocument | null; changed: boolean } {
  const prior = stateResources(plan.prior_state?.values?.root_module).find(r => r.mode === 'managed' && r.type === POLICY_RESOURCE_TYPE);
  const change = (plan.resource_changes ?? []).find(r => r.mode === 'managed' && r.type === POLICY_RESOURCE_TYPE);
  const before = prior?.values ?? change?.change.before ?? null;
  const after = change ? change.change.after : before;
  const changed = change !== undefined && !change.change.actions.every(a => a === 'no-op' || a === 'read');
  return { before: documentOf(before, 'the live policy'), after: documentOf(after, 'the planned policy'), changed };
}

function documentOf(values: Record<string, unknown> | null, what: string): PolicyDocument | null {
  const text = values?.document;
  if (typeof text !== 'string') return null;
  return readPolicyFile(text, `${what} (${POLICY_RESOURCE_TYPE}.document)`);
}
