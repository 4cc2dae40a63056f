/**
 * The part of `terraform show -json <planfile>` that the review reads (format
 * 1.x, see Terraform's "JSON Output Format"). Only what we use is typed;
 * unknown properties are ignored, as the format's compatibility promise asks.
 */
import { UsageError } from '../model/errors';
import { timestampProblem } from '../model/timestamp';

export type Action = 'no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget';

/** A deep mirror of a value: `true` where the value is unknown (or sensitive), objects/arrays to go deeper. */
export type ValueMarks = boolean | ValueMarks[] | { [key: string]: ValueMarks };

export interface Change {
  actions: Action[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  after_unknown?: ValueMarks;
  before_sensitive?: ValueMarks;
  after_sensitive?: ValueMarks;
}

export interface ResourceChange {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  index?: string | number;
  provider_name?: string;
  change: Change;
  action_reason?: string;
}

export interface StateResource {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  name: string;
  values: Record<string, unknown>;
  sensitive_values?: ValueMarks;
}

export interface StateModule {
  resources?: StateResource[];
  child_modules?: StateModule[];
}

export interface PlanJson {
  format_version: string;
  terraform_version?: string;
  resource_changes?: ResourceChange[];
  resource_drift?: ResourceChange[];
  prior_state?: { values?: { root_module?: StateModule } };
  timestamp?: string;
  errored?: boolean;
}

/** Parses and checks the shape of a plan; `source` names the input in error messages. */
export function parsePlan(text: string, source: string): PlanJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not JSON (${(e as Error).message}); pass the output of 'terraform show -json <planfile>'`);
  }
  return checkPlan(value, source);
}

export function checkPlan(value: unknown, source: string): PlanJson {
  const plan = value as Partial<PlanJson> | null;
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan) || typeof plan.format_version !== 'string') {
    throw new UsageError(`${source} is not a Terraform JSON plan (no format_version); pass the output of 'terraform show -json <planfile>'`);
  }
  if (!plan.format_version.startsWith('1.')) {
    throw new UsageError(`${source} has plan format ${plan.format_version}; this review reads format 1.x`);
  }
  if (!Array.isArray(plan.resource_changes) && !('planned_values' in plan)) {
    throw new UsageError(
      `${source} looks like Terraform state, not a plan (no resource_changes or planned_values); run 'terraform show -json <planfile>' on a saved plan`,
    );
  }
  for (const [list, entries] of [['resource_changes', plan.resource_changes], ['resource_drift', plan.resource_drift]] as const) {
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) throw new UsageError(`${source}: ${list} must be an array`);
    entries.forEach((entry, i) => {
      const change = (entry as ResourceChange)?.change;
      if (typeof entry?.address !== 'string' || typeof entry.type !== 'string' || !Array.isArray(change?.actions)) {
        throw new UsageError(`${source}: ${list}[${i}] is not a resource change (needs address, type and change.actions)`);
      }
    });
  }
  const when = typeof plan.timestamp === 'string' ? timestampProblem(plan.timestamp) : null;
  if (when !== null) throw new UsageError(`${source}: timestamp ${when}, got '${plan.timestamp}'; pass the plan as 'terraform show -json' writes it`);
  if (plan.errored) {
    throw new UsageError(`${source} is a plan that errored; fix the plan errors before reviewing it`);
  }
  return plan as PlanJson;
}

/** Every resource of a state module tree (root and children). */
export function stateResources(module: StateModule | undefined): StateResource[] {
  if (!module) return [];
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(stateResources)];
}
