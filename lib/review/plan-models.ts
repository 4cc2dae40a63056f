/**
 * Three pictures of the authorization server read from one plan:
 * - `applied`: what Terraform last wrote (the state before refresh),
 * - `live`: what the server holds now (refreshed; differs from `applied` by drift),
 * - `planned`: what the server will hold after apply.
 * Each is a Model, so effective scopes can be computed on any of them.
 */
import { KEY_ATTRIBUTE, KIND_OF_RESOURCE_TYPE } from '../model/terraform-attributes';
import { Kind } from '../model/types';
import { Action, Change, PlanJson, ResourceChange, stateResources, ValueMarks } from './plan-json';
import { isProcurementResource, Model, modelOf } from './terraform-resources';

type Values = Record<string, unknown>;

interface AddressedValues {
  type: string;
  values: Values;
}

/** One change of one of our resources, in model terms. */
export interface ObjectChange {
  address: string;
  /** The resource type, e.g. `procurement_role`. */
  type: string;
  kind: Kind;
  /** The object's key (scope/role/binding name, client id), after the change when it has one. */
  key: string;
  action: 'create' | 'update' | 'replace' | 'delete' | 'forget';
  before: Values | null;
  after: Values | null;
  /** Attributes of `after` (dotted paths, e.g. `subject[0].client_id`) known only after apply; `id` left out. */
  unknown: string[];
  /** Top-level attributes whose value differs (sensitive ones included, never their values). */
  changedAttributes: string[];
  sensitive: string[];
}

export interface PlanModels {
  applied: Model;
  live: Model;
  planned: Model;
  changes: ObjectChange[];
  drift: ObjectChange[];
}

export function plannedModels(plan: PlanJson): PlanModels {
  const ours = (r: ResourceChange) => r.mode === 'managed' && isProcurementResource(r.type);
  const resourceChanges = (plan.resource_changes ?? []).filter(ours);
  const driftChanges = (plan.resource_drift ?? []).filter(ours);

  const live = new Map<string, AddressedValues>();
  const prior = plan.prior_state?.values?.root_module;
  if (prior) {
    for (const r of stateResources(prior)) if (r.mode === 'managed' && isProcurementResource(r.type)) live.set(r.address, r);
  } else {
    for (const r of resourceChanges) if (r.change.before) live.set(r.address, { type: r.type, values: r.change.before });
  }

  const planned = new Map(live);
  const changes: ObjectChange[] = [];
  for (const r of resourceChanges) {
    const action = actionOf(r.change.actions);
    if (action === null) continue;
    if (action === 'delete') planned.delete(r.address);
    else if (action !== 'forget' && r.change.after) planned.set(r.address, { type: r.type, values: r.change.after });
    changes.push(objectChange(r, action));
  }

  const applied = new Map(live);
  const drift: ObjectChange[] = [];
  for (const r of driftChanges) {
    const action = actionOf(r.change.actions);
    if (action === null) continue;
    if (r.change.before) applied.set(r.address, { type: r.type, values: r.change.before });
    else applied.delete(r.address);
    drift.push(objectChange(r, action));
  }

  return {
    applied: modelOf(applied.values()),
    live: modelOf(live.values()),
    planned: modelOf(planned.values()),
    changes,
    drift,
  };
}

/** Terraform's action lists as one word; null for no-op and reads, which change nothing. */
function actionOf(actions: readonly Action[]): ObjectChange['action'] | null {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  if (actions.includes('forget')) return 'forget';
  return null;
}

function objectChange(r: ResourceChange, action: ObjectChange['action']): ObjectChange {
  const { before, after } = r.change;
  const values = after ?? before ?? {};
  const kind = KIND_OF_RESOURCE_TYPE[r.type];
  const kindKey = KEY_ATTRIBUTE[kind];
  return {
    address: r.address,
    type: r.type,
    kind,
    key: typeof values[kindKey] === 'string' ? (values[kindKey] as string) : r.address,
    action,
    before,
    after,
    unknown: action === 'delete' || action === 'forget' ? [] : markedPaths(r.change.after_unknown).filter(p => p !== 'id'),
    changedAttributes: changedAttributes(r.change),
    sensitive: [...markedPaths(r.change.before_sensitive), ...markedPaths(r.change.after_sensitive)],
  };
}

function changedAttributes(change: Change): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknownTop = typeof change.after_unknown === 'object' && change.after_unknown !== null && !Array.isArray(change.after_unknown)
    ? change.after_unknown
    : {};
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter(k => k !== 'id' && (unknownTop[k] === true || !sameSet(before[k], after[k])))
    .sort();
}

/** Equality where arrays are compared as sets (every list of ours is a set). */
function sameSet(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): string =>
    JSON.stringify(v, (_k, x) => (Array.isArray(x) ? x.map(e => JSON.stringify(e)).sort() : x));
  return canon(a ?? null) === canon(b ?? null);
}

/** Dotted paths where a marks mirror holds `true`. */
export function markedPaths(marks: ValueMarks | undefined, prefix = ''): string[] {
  if (marks === true) return [prefix || '(whole object)'];
  if (!marks || typeof marks !== 'object') return [];
  if (Array.isArray(marks)) return marks.flatMap((m, i) => markedPaths(m, `${prefix}[${i}]`));
  return Object.entries(marks).flatMap(([k, m]) => markedPaths(m, prefix ? `${prefix}.${k}` : k));
}
