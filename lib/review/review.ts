/**
 * What a reviewer needs to know about a plan, as data: who gains or loses
 * which effective scope (through roles and bindings, implications included),
 * new and removed clients, changed scope definitions, drift, values known only
 * after apply, and the risk flags on each. Rendering is separate
 * (review-document.ts and the renderers), so the analysis is tested on its own.
 */
import { isTimestamp, parseTimestamp } from '../model/timestamp';
import { Client, RISKS } from '../model/types';
import { PolicyDocument } from '../policy';
import { Flag, grantFlags } from './grant-flags';
import { heldScopes } from './held-scopes';
import { PlanJson } from './plan-json';
import { ObjectChange, plannedModels } from './plan-models';
import { plannedPolicyChanges, policiesOf, ReviewFinding, reviewExceptions, reviewFindings } from './review-policy';
import { ClientAttributeChange, DefinitionChange, DriftEntry, Review, ScopeChange, UnknownEntry } from './review-types';
import { Model, modelObjectOf } from './terraform-resources';
import { unusedGrants, UsageInput } from './unused-grants';
import { verdictOf } from './verdict';

export type { Flag } from './grant-flags';
export type { ExceptionEntry, ReviewFinding } from './review-policy';
export type * from './review-types';

export interface ReviewOptions {
  /** The clock for expiries. @default the plan's timestamp, else the current time */
  now?: Date;
  /**
   * The policy to judge the plan with (the server's, or the stack's `auth.policyDocument()`).
   * @default the plan's procurement_policy resource; without one, no policy is judged and the review says so
   */
  policy?: PolicyDocument;
  /**
   * The policy the server enforces now (`review --policy-from`): judges the live picture, and the plan too unless the
   * plan changes the procurement_policy, whose document the server enforces before this plan's objects are written.
   * @default the plan's procurement_policy's prior state
   */
  serverPolicy?: PolicyDocument;
  /** The server's usage record, to list kept grants nobody uses. @default not listed */
  usage?: UsageInput;
}

export function buildReview(plan: PlanJson, options: ReviewOptions = {}): Review {
  const now = options.now ?? (plan.timestamp ? new Date(parseTimestamp(plan.timestamp)) : new Date());
  const { applied, live, planned, changes, drift } = plannedModels(plan);
  const policies = policiesOf(plan, options.policy, options.serverPolicy);
  const findings = policies ? reviewFindings(live, planned, policies, now) : [];
  const riskUnknown = new Set(changes.filter(c => c.kind === 'scopes' && c.unknown.includes('risk')).map(c => c.key));
  const scopeChanges = accessChanges(live, planned, now, findings, riskUnknown);
  const liveClients = byKey(live.clients, c => c.clientId);
  const plannedClients = byKey(planned.clients, c => c.clientId);
  const effective = (model: Model, id: string) => [...heldScopes(id, model, now).keys()].sort();

  const addedClients = [...plannedClients.values()].filter(c => !liveClients.has(c.clientId)).map(client => ({
    clientId: client.clientId,
    client,
    scopes: effective(planned, client.clientId),
    flags: client.external ? (['external client'] as Flag[]) : [],
  }));
  const removedClients = [...liveClients.values()].filter(c => !plannedClients.has(c.clientId)).map(client => ({
    clientId: client.clientId,
    client,
    scopes: effective(live, client.clientId),
    flags: [] as Flag[],
  }));

  const review: Omit<Review, 'verdict' | 'flagged'> = {
    counts: terraformCounts(plan),
    now,
    scopeChanges,
    addedClients,
    removedClients,
    clientAttributeChanges: clientAttributeChanges(liveClients, plannedClients),
    policy: policies && {
      environment: policies.after.environment,
      source: policies.source,
      changed: policies.before !== null && JSON.stringify(policies.before) !== JSON.stringify(policies.after),
    },
    policyChanges: plannedPolicyChanges(plan),
    findings,
    exceptions: policies ? reviewExceptions(planned, policies, findings) : [],
    definitions: definitionChanges(live, planned, changes, now),
    drift: drift.map(d => driftEntry(d, applied, live, planned, now)),
    unknown: unknownEntries(changes, planned),
    unused: options.usage ? { afterDays: options.usage.unusedAfterDays, grants: unusedGrants(live, planned, options.usage, now) } : null,
  };
  return { ...review, ...verdictOf(review) };
}

/** `riskUnknown`: scopes whose risk the plan leaves to apply (read as the highest in `after`, shown as unknown). */
function accessChanges(before: Model, after: Model, now: Date, findings: readonly ReviewFinding[] = [], riskUnknown = new Set<string>()): ScopeChange[] {
  const out: ScopeChange[] = [];
  const scopesBefore = byKey(before.scopes, s => s.name);
  const scopesAfter = byKey(after.scopes, s => s.name);
  const clientsAfter = byKey(after.clients, c => c.clientId);
  for (const clientId of clientIdsOf(before, after)) {
    const was = heldScopes(clientId, before, now);
    const is = heldScopes(clientId, after, now);
    const client = clientsAfter.get(clientId) ?? null;
    for (const held of is.values()) {
      const old = was.get(held.scope);
      const change = !old ? 'gained' : isLater(held.expiresAt, old.expiresAt) ? 'extended' : null;
      if (!change) continue;
      const risk = riskUnknown.has(held.scope) ? 'unknown' : scopesAfter.get(held.scope)?.risk ?? null;
      out.push({
        clientId,
        change,
        scope: held.scope,
        risk,
        expiresAt: held.expiresAt,
        ...(old ? { previousExpiresAt: old.expiresAt } : {}),
        via: held.via,
        justifications: held.justifications,
        flags: grantFlags(held, risk, client, findings),
      });
    }
    for (const old of was.values()) {
      if (is.has(old.scope)) continue;
      out.push({
        clientId,
        change: 'lost',
        scope: old.scope,
        risk: scopesBefore.get(old.scope)?.risk ?? null,
        expiresAt: old.expiresAt,
        via: old.via,
        justifications: old.justifications,
        flags: [],
      });
    }
  }
  const order = { gained: 0, extended: 1, lost: 2 };
  return out.sort((a, b) => a.clientId.localeCompare(b.clientId) || order[a.change] - order[b.change] || a.scope.localeCompare(b.scope));
}

function clientAttributeChanges(before: Map<string, Client>, after: Map<string, Client>): ClientAttributeChange[] {
  const out: ClientAttributeChange[] = [];
  for (const [clientId, next] of after) {
    const prev = before.get(clientId);
    if (!prev) continue;
    const attributes = (Object.keys(next) as (keyof Client)[])
      .filter(name => JSON.stringify(prev[name]) !== JSON.stringify(next[name]))
      .map(name => ({ name, before: prev[name], after: next[name] }));
    if (attributes.length === 0) continue;
    out.push({ clientId, attributes, flags: !prev.external && next.external ? ['client now external'] : [] });
  }
  return out;
}

function definitionChanges(before: Model, after: Model, changes: ObjectChange[], now: Date): DefinitionChange[] {
  const out: DefinitionChange[] = [];
  const unknownScopesOf = new Set(changes.filter(c => c.kind === 'roles' && c.unknown.some(p => p.startsWith('scopes'))).map(c => c.key));
  const scopesBefore = byKey(before.scopes, s => s.name);
  const scopesAfter = byKey(after.scopes, s => s.name);
  for (const [name, next] of scopesAfter) {
    const prev = scopesBefore.get(name);
    if (!prev) {
      out.push({ kind: 'scope', key: name, action: 'create', details: [`new ${next.risk}-risk scope${next.external ? ', external' : ''}`], flags: [] });
      continue;
    }
    const details: string[] = [];
    const flags: Flag[] = [];
    if (prev.risk !== next.risk) {
      const raised = RISKS.indexOf(next.risk) > RISKS.indexOf(prev.risk);
      details.push(`risk ${prev.risk} → ${next.risk}`);
      if (raised) details.push(holdersOf(name, after, now));
      flags.push(raised ? 'risk raised' : 'risk lowered');
    }
    if (prev.external !== next.external) {
      details.push(`external ${prev.external} → ${next.external}`);
      if (next.external) flags.push('now external');
    }
    details.push(...setDelta('implies', prev.implies, next.implies));
    if (prev.description !== next.description) details.push('description changed');
    if (details.length > 0) out.push({ kind: 'scope', key: name, action: 'update', details, flags });
  }
  for (const name of scopesBefore.keys()) {
    if (!scopesAfter.has(name)) out.push({ kind: 'scope', key: name, action: 'delete', details: ['scope removed'], flags: [] });
  }
  const rolesBefore = byKey(before.roles, r => r.name);
  const rolesAfter = byKey(after.roles, r => r.name);
  const boundTo = (model: Model, role: string) => new Set(model.roleBindings.filter(b => b.role === role).flatMap(b => b.subjects.map(s => s.clientId))).size;
  for (const [name, next] of rolesAfter) {
    const prev = rolesBefore.get(name);
    const details = unknownScopesOf.has(name)
      ? ['scopes known only after apply']
      : prev ? setDelta('scopes', prev.scopes, next.scopes) : [`new role with ${next.scopes.join(', ') || 'no scopes'}`];
    if (details.length === 0) continue;
    const bound = boundTo(after, name);
    out.push({ kind: 'role', key: name, action: prev ? 'update' : 'create', details: [...details, `bound to ${bound} client${bound === 1 ? '' : 's'}`], flags: [] });
  }
  for (const name of rolesBefore.keys()) {
    if (!rolesAfter.has(name)) out.push({ kind: 'role', key: name, action: 'delete', details: ['role removed'], flags: [] });
  }
  return out;
}

/** `held by approval-bot (until 2026-04-01T00:00:00Z), erp-sync (no expiry)`: who a riskier scope now reaches, and for how long. */
function holdersOf(scope: string, model: Model, now: Date): string {
  const holders = clientIdsOf(model)
    .map(clientId => ({ clientId, held: heldScopes(clientId, model, now).get(scope) }))
    .filter((h): h is { clientId: string; held: NonNullable<typeof h.held> } => h.held !== undefined)
    .map(h => `${h.clientId} (${h.held.expiresAt === null ? 'no expiry' : `until ${h.held.expiresAt}`})`);
  return holders.length === 0 ? 'held by no client' : `held by ${holders.join(', ')}`;
}

function driftEntry(d: ObjectChange, applied: Model, live: Model, planned: Model, now: Date): DriftEntry {
  const access = accessChanges(applied, live, now);
  const mine = access.filter(a => touches(d, a, applied, live));
  return {
    address: d.address,
    kind: d.kind,
    key: d.key,
    action: d.action,
    attributes: d.changedAttributes,
    access: mine,
    revertedByPlan: revertsTo(d, planned),
    downstreamDrift: d.kind === 'clients' && typeof d.after?.downstream_drift === 'string' ? d.after.downstream_drift : null,
  };
}

/** Whether an access change is explained by this drifted object (its role, binding, client or scope). */
function touches(d: ObjectChange, a: ScopeChange, applied: Model, live: Model): boolean {
  if (d.kind === 'clients') return a.clientId === d.key;
  if (d.kind === 'scopes') return a.scope === d.key || a.via.some(v => v.endsWith(`→ ${d.key}`)) || isImpliedBy(a.scope, d.key, applied, live);
  if (d.kind === 'roles') return a.via.some(v => v.split(' ')[0] === d.key);
  const roleOf = (m: Model) => m.roleBindings.find(b => b.name === d.key)?.role;
  const roles = [roleOf(applied), roleOf(live)].filter((r): r is string => !!r);
  return a.via.some(v => roles.includes(v.split(' ')[0]));
}

function isImpliedBy(scope: string, by: string, ...models: Model[]): boolean {
  return models.some(m => m.scopes.find(s => s.name === by)?.implies.includes(scope));
}

/** Whether the plan writes back the values Terraform last applied (so the drift is undone). */
function revertsTo(d: ObjectChange, planned: Model): boolean {
  const lastApplied = d.before ? modelObjectOf(d.type, d.before) : null;
  if (!lastApplied) return false;
  const list: readonly object[] = { scopes: planned.scopes, roles: planned.roles, clients: planned.clients, 'role-bindings': planned.roleBindings }[d.kind];
  const wanted = JSON.stringify(lastApplied.object);
  return list.some(o => JSON.stringify(o) === wanted);
}

function unknownEntries(changes: ObjectChange[], planned: Model): UnknownEntry[] {
  return changes
    .filter(c => c.unknown.length > 0)
    .map(c => ({ address: c.address, paths: c.unknown, affectsClients: clientsDependingOn(c, planned) }));
}

function clientsDependingOn(c: ObjectChange, planned: Model): string[] {
  const subjectsOfRole = (role: string) => planned.roleBindings.filter(b => b.role === role).flatMap(b => b.subjects.map(s => s.clientId));
  let clients: string[] = [];
  if (c.kind === 'role-bindings') clients = planned.roleBindings.find(b => b.name === c.key)?.subjects.map(s => s.clientId) ?? [];
  else if (c.kind === 'roles') clients = subjectsOfRole(c.key);
  else if (c.kind === 'scopes') clients = planned.roles.filter(r => r.scopes.includes(c.key)).flatMap(r => subjectsOfRole(r.name));
  else clients = [c.key];
  return [...new Set(clients)].sort();
}

/** As Terraform counts its "Plan:" line: every managed resource, a replacement as one to add and one to destroy. */
function terraformCounts(plan: PlanJson): Review['counts'] {
  const counts = { add: 0, change: 0, destroy: 0, forget: 0 };
  for (const { mode, change } of plan.resource_changes ?? []) {
    if (mode !== 'managed') continue;
    const actions = change.actions;
    if (actions.includes('create')) counts.add++;
    if (actions.includes('delete')) counts.destroy++;
    if (actions.includes('update')) counts.change++;
    if (actions.includes('forget')) counts.forget++;
  }
  return counts;
}

function setDelta(field: string, before: string[], after: string[]): string[] {
  const added = after.filter(x => !before.includes(x));
  const removed = before.filter(x => !after.includes(x));
  return [...added.map(x => `${field} + ${x}`), ...removed.map(x => `${field} − ${x}`)];
}

function isLater(next: string | null, prev: string | null): boolean {
  if (prev === null) return false;
  if (next === null) return true;
  // heldScopes only answers comparable expiries (others grant nothing); guard anyway rather than compare NaN.
  return isTimestamp(next) && isTimestamp(prev) && parseTimestamp(next) > parseTimestamp(prev);
}

function clientIdsOf(...models: Model[]): string[] {
  const ids = new Set<string>();
  for (const m of models) {
    for (const c of m.clients) ids.add(c.clientId);
    for (const b of m.roleBindings) for (const s of b.subjects) ids.add(s.clientId);
  }
  return [...ids].sort();
}

function byKey<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  return new Map(items.map(i => [key(i), i]));
}
