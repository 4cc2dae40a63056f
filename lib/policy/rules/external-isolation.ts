import { Scope } from '../../model/types';
import { HIGH_RISKS, PolicyDocument } from '../policy-document';
import { isDeclared } from '../policy-model';
import { describeGrant, grantRefs, PolicyRule, Violation } from '../rule';

/**
 * Whether an external client may hold `scope` under `policy`: the scope is
 * marked external and, when high or critical, the policy names it. Used by
 * the rule and by the token endpoint.
 */
export function mayHoldExternally(scope: Pick<Scope, 'name' | 'risk' | 'external'> | undefined, policy: PolicyDocument): boolean {
  if (!scope?.external) return false;
  return !HIGH_RISKS.includes(scope.risk) || policy.externalHighRiskScopes.includes(scope.name);
}

/** External (supplier, partner) clients may only hold scopes marked external; high-risk scopes are external only when the policy names them. */
export const externalIsolation: PolicyRule = {
  id: 'EXTERNAL-ISOLATION',
  severity: 'error',
  exceptionsAllowed: true,
  finding: 'External clients may only hold scopes marked external; a high or critical scope is external only when the policy names it.',
  explanation:
    'A supplier portal lives outside the company: it must never reach internal data or approvals. ' +
    'Grant external clients roles whose scopes are all marked external. Marking a high or critical scope external ' +
    "takes the policy's externalHighRiskScopes too, so that opening approvals to suppliers is a policy decision. " +
    'Scopes known only by name (fromName) count as internal.',
  check: ({ model, policy, index }) => {
    const violations: Violation[] = model.scopes
      .filter(isDeclared)
      .filter(s => s.external && !mayHoldExternally(s, policy))
      .map(s => ({
        object: { kind: 'scopes', key: s.name },
        field: ['external'],
        message: `${s.risk} scope '${s.name}' is marked external, but the '${policy.environment}' policy does not name it in externalHighRiskScopes`,
        remedy: `do not mark it external; if suppliers really must hold it, name it in externalHighRiskScopes of the '${policy.environment}' policy`,
      }));
    const grants = index.grantsByClient();
    for (const client of model.clients.filter(isDeclared).filter(c => c.external)) {
      for (const grant of grants.get(client.clientId) ?? []) {
        const internal = [...index.withImplied([grant.scope])].filter(scope => !mayHoldExternally(index.scopes().get(scope), policy)).sort();
        if (internal.length === 0) continue;
        violations.push({
          object: { kind: 'clients', key: client.clientId },
          related: [...grantRefs(grant), ...internal.filter(s => s !== grant.scope).map(key => ({ kind: 'scopes' as const, key }))],
          message: `external client '${client.clientId}' would hold ${internal.map(s => describeScope(index.scopes().get(s), s)).join(', ')} through ${describeGrant(grant)}`,
          remedy: 'remove the grant, or grant the client a role whose scopes are all open to external clients',
        });
      }
    }
    return violations;
  },
  token: {
    judges: 'scope',
    withhold: ({ clientId, input, policy, held, scopes }) =>
      input.client?.external !== true
        ? []
        : held
            .filter(scope => !mayHoldExternally(scopes.get(scope), policy))
            .map(scope => ({
              scope,
              object: { kind: 'clients', key: clientId },
              reason: `external client '${clientId}' may not hold ${scope}: it is not open to external clients under the '${policy.environment}' policy`,
            })),
  },
};

function describeScope(scope: Scope | undefined, name: string): string {
  if (!scope) return `${name} (not declared here: counts as internal)`;
  if (!scope.external) return `internal scope ${name}`;
  return `${scope.risk} scope ${name} (marked external, but not named in the policy's externalHighRiskScopes)`;
}
