import { describeGrant, grantRefs, PolicyRule, Violation } from '../rule';
import { Grant } from '../../model/effective-scopes';
import { Withholding } from '../token-rule';

/** No client's effective scopes may hold two scopes of one conflicting set. */
export const separationOfDuties: PolicyRule = {
  id: 'SEPARATION-OF-DUTIES',
  severity: 'error',
  exceptionsAllowed: true,
  finding: "No client's effective scopes may hold two scopes of one conflicting set.",
  explanation:
    'A client that can both create and approve (a purchase order, a payment) lets one leaked credential complete a fraud alone. ' +
    'Give the conflicting duties to two different clients, or remove one of the grants.',
  check: ({ policy, index }) => {
    const violations: Violation[] = [];
    for (const [clientId, grants] of index.grantsByClient()) {
      // Implied scopes count: holding ticket.write also holds ticket.comment.
      const held = new Map<string, { grant: Grant; text: string }>();
      for (const grant of grants) {
        for (const scope of index.withImplied([grant.scope])) {
          if (!held.has(scope)) held.set(scope, { grant, text: scope === grant.scope ? describeGrant(grant) : `${scope} (implied by ${describeGrant(grant)})` });
        }
      }
      for (const set of policy.conflictingScopeSets) {
        const clash = set.filter(scope => held.has(scope));
        if (clash.length < 2) continue;
        violations.push({
          object: { kind: 'clients', key: clientId },
          related: clash.flatMap(s => grantRefs(held.get(s)!.grant)),
          message: `client '${clientId}' would hold conflicting scopes ${clash.map(s => held.get(s)!.text).join(' and ')}; separation of duties allows at most one of {${set.join(', ')}}`,
          remedy: 'give these duties to different clients',
        });
      }
    }
    return violations;
  },
  token: {
    judges: 'set',
    withhold: ({ clientId, policy, held, withImplied }) => {
      const duties = new Map(held.map(scope => [scope, withImplied([scope])]));
      const holding = new Set(held);
      const out: Withholding[] = [];
      for (const set of policy.conflictingScopeSets) {
        const clash = set.filter(scope => holding.has(scope));
        if (clash.length < 2) continue;
        const reason =
          `client '${clientId}' holds conflicting scopes ${clash.join(' and ')}, and separation of duties allows at most one of {${set.join(', ')}} ` +
          `under the '${policy.environment}' policy: remove one of the grants (or add an exception for the client)`;
        // Every duty is withheld, not all but one: which the client should keep is not ours to guess, and one duty
        // per token would still give one client both at the same moment. A scope that implies a duty carries it too.
        for (const [scope, carries] of duties) {
          if (clash.some(duty => carries.has(duty))) out.push({ scope, object: { kind: 'clients', key: clientId }, reason });
        }
      }
      return out;
    },
  },
};
