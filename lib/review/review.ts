/**
 * What a reviewer needs to know about a plan, as data: who gains or loses
 * which effective scope (through roles and bindings, implications included),
 * new and removed clients, changed scope definitions, drift, values known only
 * after apply, and the risk flags on each. Rendering is separate
 * (review-document.ts and the renderers), so the analysis is tested on its own.
 */
import { PolicyDocument, recommendedPolicy } from '../policy';
import { Client, Risk, RISKS, Scope } from '../model/types';
import { HeldScope, heldScopes } from './held-scopes';
import { PlanJson } from './plan-json';
import { ObjectChange, plannedModels } from './plan-models';
import { Model, modelObjectOf } from './terraform-resources';
import { UnusedGrant, unusedGrants, UsageInput } from './unused-grants';

export interface ReviewOptions {
  /** The clock for expiries. @default the plan's timestamp, else the current time */
  now?: Date;
  /** Conflicting scope sets and the risks that must be time-bound. @default recommendedPolicy('review') */
  policy?: PolicyDocument;
  /** The server's usage record, to list kept grants nobody uses. @default not listed */
  usage?: UsageInput;
}

export type Flag =
  | 'critical'
  | 'high'
  | 'external client'
  | 'scope not marked external'
  | 'no expiry'
  | 'separation of duties'
  | 'risk lowered'
  | 'risk raised'
  | 'now external'
  | 'client now external';

export interface ScopeChange {
  clientId: string;
  change: 'gained' | 'lost' | 'extended';
  scope: string;
  /** Risk in the picture the change lands in; null when that picture does not define the scope. */
  risk: Risk | null;
  expiresAt: string | null;
  /** For `extended`: the expiry before. */
  previousExpiresAt?: string | null;
  via: string[];
  flags: Flag[];
}

export interface ClientEntry {
  clientId: string;
  client: Client | null;
  /** Effective scopes after (added) or before (removed). */
  scopes: string[];
  flags: Flag[];
}

export interface ClientAttributeChange {
  clientId: string;
  attributes: { name: string; before: unknown; after: unknown }[];
  flags: Flag[];
}

export interface Conflict {
  clientId: string;
  set: readonly string[];
  held: string[];
  /** False when the client already held these before the change. */
  isNew: boolean;
}

export interface DefinitionChange {
  kind: 'scope' | 'role';
  key: string;
  action: ObjectChange['action'];
  details: string[];
  flags: Flag[];
}

export interface DriftEntry {
  address: string;
  kind: ObjectChange['kind'];
  key: string;
  action: ObjectChange['action'];
  attributes: string[];
  /** Effective access that changed outside Terraform (last apply → live). */
  access: ScopeChange[];
  /** Whether this plan puts the object back as Terraform last wrote it. */
  revertedByPlan: boolean;
}

export interface UnknownEntry {
  address: string;
  paths: string[];
  /** Clients whose effective scopes depend on these values. */
  affectsClients: string[];
}

export interface Review {
  verdict: string;
  /** True when something needs a reviewer's attention (the verdict starts with ⚠). */
  flagged: boolean;
  counts: Record<'create' | 'update' | 'replace' | 'delete' | 'forget', number>;
  now: Date;
  scopeChanges: ScopeChange[];
  addedClients: ClientEntry[];
  removedClients: ClientEntry[];
  clientAttributeChanges: ClientAttributeChange[];
  conflicts: Conflict[];
  definitions: DefinitionChange[];
  drift: DriftEntry[];
  unknown: UnknownEntry[];
  /** Kept grants unused for `unusedAfterDays`; null when no usage record was given. */
  unused: { afterDays: number; grants: UnusedGrant[] } | null;
}

export function buildReview(plan: PlanJson, options: ReviewOptions = {}): Review {
  const now = options.now ?? (plan.timestamp ? new Date(plan.timestamp) : new Date());
  const policy = options.policy ?? recommendedPolicy('review');
  const { applied, live, planned, changes, drift } = plannedModels(plan);

  const conflicts = conflictsOf(planned, live, policy, now);
  const scopeChanges = accessChanges(live, planned, now, policy, conflicts);
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
    counts: countActions(changes),
    now,
    scopeChanges,
    addedClients,
    removedClients,
    clientAttributeChanges: clientAttributeChanges(liveClients, plannedClients),
    conflicts,
    definitions: definitionChanges(live, planned, changes),
    drift: drift.map(d => driftEntry(d, applied, live, planned, now, policy)),
    unknown: unknownEntries(changes, planned),
    unused: options.usage ? { afterDays: options.usage.unusedAfterDays, grants: unusedGrants(live, planned, options.usage, now) } : null,
  };
  return { ...review, ...verdictOf(review) };
}

function accessChanges(before: Model, after: Model, now: Date, policy: PolicyDocument, conflicts: Conflict[] = []): ScopeChange[] {
  const out: ScopeChange[] = [];
  const scopesBefore = byKey(before.scopes, s => s.name);
  const scopesAfter = byKey(after.scopes, s => s.name);
  const clientsAfter = byKey(after.clients, c => c.clientId);
  for (const clientId of clientIdsOf(before, after)) {
    const was = heldScopes(clientId, before, now);
    const is = heldScopes(clientId, after, now);
    const client = clientsAfter.get(clientId) ?? null;
    const conflicting = new Set(conflicts.filter(c => c.clientId === clientId).flatMap(c => c.held));
    for (const held of is.values()) {
      const old = was.get(held.scope);
      const change = !old ? 'gained' : isLater(held.expiresAt, old.expiresAt) ? 'extended' : null;
      if (!change) continue;
      const scope = scopesAfter.get(held.scope);
      out.push({
        clientId,
        change,
        scope: held.scope,
        risk: scope?.risk ?? null,
        expiresAt: held.expiresAt,
        ...(old ? { previousExpiresAt: old.expiresAt } : {}),
        via: held.via,
        flags: grantFlags(held, scope, client, policy, conflicting),
      });
    }
    for (const old of was.values()) {
      if (is.has(old.scope)) continue;
      out.push({ clientId, change: 'lost', scope: old.scope, risk: scopesBefore.get(old.scope)?.risk ?? null, expiresAt: old.expiresAt, via: old.via, flags: [] });
    }
  }
  const order = { gained: 0, extended: 1, lost: 2 };
  return out.sort((a, b) => a.clientId.localeCompare(b.clientId) || order[a.change] - order[b.change] || a.scope.localeCompare(b.scope));
}

function grantFlags(held: HeldScope, scope: Scope | undefined, client: Client | null, policy: PolicyDocument, conflicting: Set<string>): Flag[] {
  const flags: Flag[] = [];
  if (scope?.risk === 'critical' || scope?.risk === 'high') flags.push(scope.risk);
  if (client?.external) {
    flags.push('external client');
    if (scope && !scope.external) flags.push('scope not marked external');
  }
  if (held.expiresAt === null && scope && policy.timeBoundRisks.includes(scope.risk)) flags.push('no expiry');
  if (conflicting.has(held.scope)) flags.push('separation of duties');
  return flags;
}

function conflictsOf(after: Model, before: Model, policy: PolicyDocument, now: Date): Conflict[] {
  const out: Conflict[] = [];
  for (const clientId of clientIdsOf(before, after)) {
    const is = heldScopes(clientId, after, now);
    const was = heldScopes(clientId, before, now);
    for (const set of policy.conflictingScopeSets) {
      const held = set.filter(s => is.has(s));
      if (held.length < 2) continue;
      out.push({ clientId, set, held, isNew: held.filter(s => was.has(s)).length < 2 });
    }
  }
  return out;
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

function definitionChanges(before: Model, after: Model, changes: ObjectChange[]): DefinitionChange[] {
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
      details.push(`risk ${prev.risk} → ${next.risk}`);
      flags.push(RISKS.indexOf(next.risk) > RISKS.indexOf(prev.risk) ? 'risk raised' : 'risk lowered');
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

function driftEntry(d: ObjectChange, applied: Model, live: Model, planned: Model, now: Date, policy: PolicyDocument): DriftEntry {
  const access = accessChanges(applied, live, now, policy);
  const mine = access.filter(a => touches(d, a, applied, live));
  return {
    address: d.address,
    kind: d.kind,
    key: d.key,
    action: d.action,
    attributes: d.changedAttributes,
    access: mine,
    revertedByPlan: revertsTo(d, planned),
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

function verdictOf(r: Omit<Review, 'verdict' | 'flagged'>): { verdict: string; flagged: boolean } {
  const grants = r.scopeChanges.filter(c => c.change !== 'lost');
  const clientsWith = (pred: (c: ScopeChange) => boolean) => new Set(grants.filter(pred).map(c => c.clientId)).size;
  const criticalToExternal = grants.filter(c => c.risk === 'critical' && c.flags.includes('external client')).length;
  const risky = clientsWith(c => c.flags.includes('critical') || c.flags.includes('high'));
  const riskWords = (['critical', 'high'] as const).filter(level => grants.some(c => c.flags.includes(level)));
  const riskyScopes = `${riskWords.map(w => (w === 'high' ? 'high-risk' : w)).join(' or ')} scopes`;
  const isolation = clientsWith(c => c.flags.includes('scope not marked external'));
  const noExpiry = grants.filter(c => c.flags.includes('no expiry')).length;
  const riskierDefinitions = r.definitions.filter(d => d.flags.length > 0).length + r.clientAttributeChanges.filter(c => c.flags.length > 0).length;
  const unknownValues = r.unknown.reduce((n, u) => n + u.paths.length, 0);

  const warnings = [
    criticalToExternal && count(criticalToExternal, 'critical scope', 'granted to an external client', 'granted to external clients'),
    risky && count(risky, 'client', `gains ${riskyScopes}`, `gain ${riskyScopes}`),
    isolation && count(isolation, 'external client', 'gains scopes not marked external', 'gain scopes not marked external'),
    noExpiry && count(noExpiry, 'high-risk grant', 'without expiry', 'without expiry'),
    r.conflicts.length && count(r.conflicts.length, 'separation-of-duties conflict', '', ''),
    riskierDefinitions && count(riskierDefinitions, 'definition', 'loosened or made riskier', 'loosened or made riskier'),
    r.drift.length && count(r.drift.length, 'object', 'changed outside Terraform (drift)', 'changed outside Terraform (drift)'),
    unknownValues && count(unknownValues, 'value', 'known only after apply', 'known only after apply'),
  ].filter((w): w is string => typeof w === 'string');
  if (warnings.length > 0) return { verdict: `⚠ ${warnings.join('; ')}`, flagged: true };

  const gaining = clientsWith(() => true);
  const losing = new Set(r.scopeChanges.filter(c => c.change === 'lost').map(c => c.clientId)).size;
  const info = [
    gaining && count(gaining, 'client', 'gains scopes', 'gain scopes'),
    losing && count(losing, 'client', 'loses scopes', 'lose scopes'),
    r.addedClients.length && count(r.addedClients.length, 'new client', '', ''),
    r.removedClients.length && count(r.removedClients.length, 'removed client', '', ''),
  ].filter((w): w is string => typeof w === 'string');
  if (info.length > 0) return { verdict: `✓ No risk flags: ${info.join(', ')}`, flagged: false };
  return { verdict: '✓ No access changes', flagged: false };
}

/** "1 client gains x" / "2 clients gain x". */
function count(n: number, noun: string, singular: string, plural: string): string {
  const tail = n === 1 ? singular : plural;
  return `${n} ${noun}${n === 1 ? '' : 's'}${tail ? ` ${tail}` : ''}`;
}

function countActions(changes: ObjectChange[]): Review['counts'] {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, forget: 0 };
  for (const c of changes) counts[c.action]++;
  return counts;
}

function setDelta(field: string, before: string[], after: string[]): string[] {
  const added = after.filter(x => !before.includes(x));
  const removed = before.filter(x => !after.includes(x));
  return [...added.map(x => `${field} + ${x}`), ...removed.map(x => `${field} − ${x}`)];
}

function isLater(next: string | null, prev: string | null): boolean {
  if (prev === null) return false;
  return next === null || Date.parse(next) > Date.parse(prev);
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
