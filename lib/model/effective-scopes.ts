/**
 * Effective scopes: what a client may really ask for. The union of the scopes
 * of the roles of every binding that names the client and has not expired for
 * it, widened by what those scopes imply (transitively): holding `ticket.write`
 * also grants `ticket.comment`. Server, guardrails, `verify` and `review` all
 * use this one function so they can never disagree.
 */
import { isTimestamp, parseTimestamp } from './timestamp';
import { Role, RoleBinding, Scope } from './types';

export interface Grant {
  scope: string;
  role: string;
  binding: string;
  expiresAt: string | null;
}

export interface EffectiveScopeInput {
  scopes: readonly Pick<Scope, 'name' | 'implies'>[];
  /** A role known only by its name (the policy's referenced roles) grants nothing that can be seen. */
  roles: readonly (Pick<Role, 'name'> & { readonly scopes?: readonly string[] })[];
  roleBindings: readonly RoleBinding[];
}

/**
 * The grants (scope, through which role and binding) each client holds at
 * `now`, before implications, by client id, in binding order: every subject
 * that names a client and has not expired grants it the scopes of the
 * binding's role. Given `clientId`, only that client's (a server that read
 * just the bindings naming it); `.get(clientId) ?? []` is that client's list.
 */
export function grantsByClient(model: Pick<EffectiveScopeInput, 'roles' | 'roleBindings'>, now: Date, clientId?: string): Map<string, Grant[]> {
  const roleScopes = new Map(model.roles.map(r => [r.name, r.scopes ?? []]));
  const byClient = new Map<string, Grant[]>();
  for (const binding of model.roleBindings) {
    for (const subject of binding.subjects) {
      if ((clientId !== undefined && subject.clientId !== clientId) || isExpired(subject.expiresAt, now)) continue;
      const grants = byClient.get(subject.clientId) ?? [];
      for (const scope of roleScopes.get(binding.role) ?? []) {
        grants.push({ scope, role: binding.role, binding: binding.name, expiresAt: subject.expiresAt });
      }
      byClient.set(subject.clientId, grants);
    }
  }
  return byClient;
}

/**
 * For each scope a client held only through grants that have ended at `now`
 * (implied ones included), the grant that ended last: the token endpoint says
 * "expired at", not "not granted", when asked for one of them.
 */
export function expiredGrants(clientId: string, model: EffectiveScopeInput, now: Date): Map<string, Grant> {
  const implied = implicationsOf(model.scopes);
  const roleScopes = new Map(model.roles.map(r => [r.name, r.scopes ?? []]));
  const out = new Map<string, Grant>();
  for (const binding of model.roleBindings) {
    for (const subject of binding.subjects) {
      if (subject.clientId !== clientId || subject.expiresAt == null || !isExpired(subject.expiresAt, now)) continue;
      for (const scope of implied(roleScopes.get(binding.role) ?? [])) {
        const seen = out.get(scope);
        if (seen === undefined || later(subject.expiresAt, seen.expiresAt)) {
          out.set(scope, { scope, role: binding.role, binding: binding.name, expiresAt: subject.expiresAt });
        }
      }
    }
  }
  return out;
}

/** Whether expiry `a` is later than `b`; one that cannot be compared counts as earliest. */
function later(a: string, b: string | null): boolean {
  if (!isTimestamp(a)) return false;
  return b === null || !isTimestamp(b) || parseTimestamp(a) > parseTimestamp(b);
}

export function effectiveScopes(clientId: string, model: EffectiveScopeInput, now: Date): string[] {
  const grants = grantsByClient(model, now, clientId).get(clientId) ?? [];
  return [...withImplied(grants.map(g => g.scope), model.scopes)].sort();
}

/** The scopes plus everything they imply, transitively. */
export function withImplied(names: Iterable<string>, scopes: readonly Pick<Scope, 'name' | 'implies'>[]): Set<string> {
  return implicationsOf(scopes)(names);
}

/**
 * `withImplied` with the implication graph read once, for callers that ask
 * many times over the same scopes (the policy rules ask once per grant).
 */
export function implicationsOf(scopes: readonly Pick<Scope, 'name' | 'implies'>[]): (names: Iterable<string>) => Set<string> {
  const implies = new Map(scopes.map(s => [s.name, s.implies ?? []]));
  return names => closure(names, implies);
}

function closure(names: Iterable<string>, implies: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    queue.push(...(implies.get(name) ?? []));
  }
  return out;
}

/**
 * Whether a grant with this expiry has ended at `now`. An expiry that is not a
 * comparable RFC 3339 timestamp (a leap second, `2027-02-30`, no offset) counts
 * as ended: the schema refuses such values on every write, so one can only come
 * from data written before; failing closed grants nothing rather than forever.
 */
export function isExpired(expiresAt: string | null | undefined, now: Date): boolean {
  if (expiresAt == null) return false;
  return !isTimestamp(expiresAt) || parseTimestamp(expiresAt) <= now.getTime();
}

/**
 * Each effective scope of a client with the instant it stops holding it: the
 * latest expiry among the grants that give it (implied ones included); null
 * when one of them never expires. The keys are exactly `effectiveScopes`.
 */
export function scopesHeldUntil(clientId: string, model: EffectiveScopeInput, now: Date): Map<string, Date | null> {
  return heldUntil(grantsByClient(model, now, clientId).get(clientId) ?? [], model.scopes);
}

/** `scopesHeldUntil` of one client's grants (one entry of `grantsByClient`), for callers that read every client's at once. */
export function heldUntil(grants: readonly Grant[], scopes: EffectiveScopeInput['scopes']): Map<string, Date | null> {
  const implied = implicationsOf(scopes);
  const until = new Map<string, Date | null>();
  for (const grant of grants) {
    const ends = grant.expiresAt === null ? null : new Date(parseTimestamp(grant.expiresAt));
    for (const scope of implied([grant.scope])) {
      const seen = until.get(scope);
      if (seen === undefined) until.set(scope, ends);
      else if (seen !== null && (ends === null || ends > seen)) until.set(scope, ends);
    }
  }
  return until;
}

/**
 * The latest a token carrying `scopes` may expire: the earliest instant at
 * which the client stops holding one of them (null when none ends). A token
 * never outlives the grant behind any scope it carries.
 */
export function tokenExpiryCap(heldUntil: ReadonlyMap<string, Date | null>, scopes: Iterable<string>): Date | null {
  let cap: Date | null = null;
  for (const scope of scopes) {
    const ends = heldUntil.get(scope);
    if (ends != null && (cap === null || ends < cap)) cap = ends;
  }
  return cap;
}
