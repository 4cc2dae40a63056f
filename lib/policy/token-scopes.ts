/**
 * The token endpoint's gate: of a client's effective scopes now, the ones the
 * policy lets it receive. A binding in the store may predate the policy (or a
 * change of a scope or client), so the token endpoint judges again at issue
 * time instead of trusting that admission saw every combination.
 */
import { EffectiveScopeInput, scopesHeldUntil } from '../model/effective-scopes';
import { Client, Scope } from '../model/types';
import { exceptionFor, PolicyDocument } from './policy-document';
import { externalIsolation, mayHoldExternally } from './rules/external-isolation';

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
  const isolated = input.client?.external === true && !exceptionFor(policy, externalIsolation.id, { kind: 'clients', key: clientId }, now);
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
  return { scopes: allowed, withheld, heldUntil };
}
