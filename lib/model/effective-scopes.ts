/**
 * Effective scopes: what a client may really ask for. The union of the scopes
 * of the roles of every binding that names the client and has not expired for
 * it, widened by what those scopes imply (transitively): holding `ticket.write`
 * also grants `ticket.comment`. Server, guardrails, `verify` and `review` all
 * use this one function so they can never disagree.
 */
import { Role, RoleBinding, Scope } from './types';

export interface Grant {
  scope: string;
  role: string;
  binding: string;
  expiresAt: string | null;
}

export interface EffectiveScopeInput {
  scopes: readonly Pick<Scope, 'name' | 'implies'>[];
  roles: readonly Pick<Role, 'name' | 'scopes'>[];
  roleBindings: readonly RoleBinding[];
}

/** The grants (scope, through which role and binding) a client holds at `now`, before implications. */
export function grantsOf(clientId: string, model: EffectiveScopeInput, now: Date): Grant[] {
  const roles = new Map(model.roles.map(r => [r.name, r]));
  const grants: Grant[] = [];
  for (const binding of model.roleBindings) {
    const subject = binding.subjects.find(s => s.clientId === clientId);
    if (!subject || isExpired(subject.expiresAt, now)) continue;
    for (const scope of roles.get(binding.role)?.scopes ?? []) {
      grants.push({ scope, role: binding.role, binding: binding.name, expiresAt: subject.expiresAt });
    }
  }
  return grants;
}

export function effectiveScopes(clientId: string, model: EffectiveScopeInput, now: Date): string[] {
  return [...withImplied(grantsOf(clientId, model, now).map(g => g.scope), model.scopes)].sort();
}

/** The scopes plus everything they imply, transitively. */
export function withImplied(names: Iterable<string>, scopes: readonly Pick<Scope, 'name' | 'implies'>[]): Set<string> {
  const implies = new Map(scopes.map(s => [s.name, s.implies ?? []]));
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

export function isExpired(expiresAt: string | null | undefined, now: Date): boolean {
  return expiresAt != null && Date.parse(expiresAt) <= now.getTime();
}
