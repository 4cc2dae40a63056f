/**
 * The token endpoint's gate: of a client's effective scopes now, the ones the
 * policy lets it receive. A binding in the store may predate the policy (or a
 * change of a scope or client), so the token endpoint judges again at issue
 * time instead of trusting that admission saw every combination.
 */
import { EffectiveScopeInput, implicationsOf, scopesHeldUntil } from '../model/effective-scopes';
import { Client, Scope } from '../model/types';
import { exceptionFor, PolicyDocument, severityOf } from './policy-document';
import { externalIsolation, mayHoldExternally } from './rules/external-isolation';
import { separationOfDuties } from './rules/separation-of-duties';

export interface TokenScopeInput extends EffectiveScopeInput {
  readonly scopes: readonly Pick<Scope, 'name' | 'implies' | 'risk' | 'external'>[];
  /** The client asking; null when the store does not know it. */
  readonly client: Pick<Client, 'clientId' | 'external'> | null;
}

export interface WithheldScope {
  readonly scope: string;
  readonly ruleId: string;
  /** For the audit log and the `invalid_scope` description. */
  readonly reason: string;
}

export interface TokenScopes {
  /** Effective scopes the policy lets the client receive now, sorted. */
  readonly scopes: string[];
  /** Effective scopes the policy withholds, with why. */
  readonly withheld: WithheldScope[];
  /** When the client stops holding each of `scopes` (null: never); pass to the model's tokenExpiryCap. */
  readonly heldUntil: ReadonlyMap<string, Date | null>;
}

export function tokenScopes(clientId: string, input: TokenScopeInput, policy: PolicyDocument, now: Date): TokenScopes {
  const heldUntil = scopesHeldUntil(clientId, input, now);
  const scopes = new Map(input.scopes.map(s => [s.name, s]));
  const client = { kind: 'clients' as const, key: clientId };
  // A rule the policy turns off is off at every gate, the token endpoint included.
  const enforced = severityOf(policy, externalIsolation.id, externalIsolation.severity) !== 'off';
  const isolated = enforced && input.client?.external === true && !exceptionFor(policy, externalIsolation.id, client, now);
  const allowed: string[] = [];
  const withheld: WithheldScope[] = [];
  for (const scope of [...heldUntil.keys()].sort()) {
    if (isolated && !mayHoldExternally(scopes.get(scope), policy)) {
      withheld.push({ scope, ruleId: externalIsolation.id, reason: `external client '${clientId}' may not hold ${scope}: it is not open to external clients under the '${policy.environment}' policy` });
      heldUntil.delete(scope);
    } else {
      allowed.push(scope);
    }
  }
  // Separation of duties, only where admission would refuse it (an error with no active exception): a warning is
  // accepted at admission, so the token endpoint issues what it accepted.
  const separated =
    severityOf(policy, separationOfDuties.id, separationOfDuties.severity) === 'error' && !exceptionFor(policy, separationOfDuties.id, client, now);
  const conflicting = separated ? conflictingScopes(allowed, input.scopes, policy, clientId) : new Map<string, string>();
  for (const [scope, reason] of conflicting) {
    withheld.push({ scope, ruleId: separationOfDuties.id, reason });
    heldUntil.delete(scope);
  }
  return { scopes: allowed.filter(s => !conflicting.has(s)), withheld, heldUntil };
}

/**
 * The held scopes that carry a duty of a conflicting set the client holds two of, with why. Every one of them
 * is withheld, not all but one: which duty the client should keep is not ours to guess, and issuing one duty per
 * token would still give one client both at the same moment. A scope that implies such a duty carries it too.
 */
function conflictingScopes(held: readonly string[], scopes: TokenScopeInput['scopes'], policy: PolicyDocument, clientId: string): Map<string, string> {
  const implied = implicationsOf(scopes);
  const duties = new Map(held.map(scope => [scope, implied([scope])]));
  const holding = new Set(held);
  const out = new Map<string, string>();
  for (const set of policy.conflictingScopeSets) {
    const clash = set.filter(scope => holding.has(scope));
    if (clash.length < 2) continue;
    const reason =
      `client '${clientId}' holds conflicting scopes ${clash.join(' and ')}, and separation of duties allows at most one of {${set.join(', ')}} ` +
      `under the '${policy.environment}' policy: remove one of the grants (or add an exception for the client)`;
    for (const [scope, carries] of duties) {
      if (!out.has(scope) && clash.some(duty => carries.has(duty))) out.set(scope, reason);
    }
  }
  return out;
}
