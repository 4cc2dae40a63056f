/**
 * The token endpoint's gate: of a client's effective scopes now, the ones the
 * policy lets it receive. A binding in the store may predate the policy (or a
 * change of a scope or client), so the token endpoint, and introspection for
 * the tokens it issued, judge again at issue time instead of trusting that
 * admission saw every combination.
 *
 * Every rule that declares a `token` facet judges here (allow-list, external
 * isolation, time-bound high risk, separation of duties today), where
 * admission would refuse its finding: the rule an error under the policy
 * (a warning is accepted at admission, so the token endpoint issues what it
 * accepted; `off` is off at every gate) and no active exception for the
 * object the finding is about. A grant's own expiry is the effective scopes'
 * (an expired grant gives nothing).
 */
import { implicationsOf, scopesHeldUntil } from '../model/effective-scopes';
import { exceptionFor, PolicyDocument, severityOf } from './policy-document';
import { RULES } from './registry';
import { PolicyRule } from './rule';
import { TokenContext, TokenFacet, TokenScopeInput } from './token-rule';

export interface WithheldScope {
  readonly scope: string;
  readonly ruleId: string;
  /** For the audit log and the `invalid_scope` description. */
  readonly reason: string;
}

export interface TokenScopes {
  /** Effective scopes the policy lets the client receive now, sorted. */
  readonly scopes: string[];
  /** Effective scopes the policy withholds, with why (the first rule to withhold each), sorted by scope. */
  readonly withheld: WithheldScope[];
  /** When the client stops holding each of `scopes` (null: never); pass to the model's tokenExpiryCap. */
  readonly heldUntil: ReadonlyMap<string, Date | null>;
}

/** The order the facets judge in: a combination is judged on what the scope-by-scope rules left. */
const STAGES: readonly TokenFacet['judges'][] = ['scope', 'set'];

export function tokenScopes(clientId: string, input: TokenScopeInput, policy: PolicyDocument, now: Date, rules: readonly PolicyRule[] = RULES): TokenScopes {
  const heldUntil = scopesHeldUntil(clientId, input, now);
  const context: Omit<TokenContext, 'held'> = {
    clientId,
    input,
    policy,
    now,
    scopes: new Map(input.scopes.map(s => [s.name, s])),
    withImplied: implicationsOf(input.scopes),
  };
  const gates = rules.filter(rule => rule.token && severityOf(policy, rule.id, rule.severity) === 'error');
  const withheld = new Map<string, WithheldScope>();
  let held = [...heldUntil.keys()].sort();
  for (const stage of STAGES) {
    for (const rule of gates.filter(r => r.token!.judges === stage)) {
      for (const { scope, object, reason } of rule.token!.withhold({ ...context, held })) {
        if (withheld.has(scope) || (rule.exceptionsAllowed && exceptionFor(policy, rule.id, object, now))) continue;
        withheld.set(scope, { scope, ruleId: rule.id, reason });
      }
    }
    held = held.filter(scope => !withheld.has(scope));
  }
  for (const scope of withheld.keys()) heldUntil.delete(scope);
  return { scopes: held, withheld: [...withheld.values()].sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0)), heldUntil };
}
