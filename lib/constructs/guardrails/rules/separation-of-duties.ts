import { withImplied } from '../../../model';
import { clientPath, describeGrant, grantsByClient, GuardrailRule, implications, Violation } from '../rule';

/** No client's effective scopes may hold two scopes of one conflicting set. */
export const separationOfDuties: GuardrailRule = {
  id: 'SEPARATION-OF-DUTIES',
  severity: 'error',
  finding: "No client's effective scopes may hold two scopes of one conflicting set.",
  explanation:
    'A client that can both create and approve (a purchase order, a payment) lets one leaked credential complete a fraud alone. ' +
    'Give the conflicting duties to two different clients, or remove one of the grants.',
  check: context => {
    const { model, policy } = context;
    const scopes = implications(model);
    const violations: Violation[] = [];
    for (const [clientId, grants] of grantsByClient(context)) {
      // Implied scopes count: holding ticket.write also holds ticket.comment.
      const held = new Map<string, string>();
      for (const grant of grants) {
        for (const scope of withImplied([grant.scope], scopes)) {
          if (!held.has(scope)) held.set(scope, scope === grant.scope ? describeGrant(grant) : `${scope} (implied by ${describeGrant(grant)})`);
        }
      }
      for (const set of policy.conflictingScopeSets) {
        const clash = set.filter(scope => held.has(scope));
        if (clash.length < 2) continue;
        violations.push({
          path: clientPath(context, clientId),
          message:
            `client '${clientId}' would hold conflicting scopes ${clash.map(s => held.get(s)).join(' and ')}; ` +
            `separation of duties allows at most one of {${set.join(', ')}}. Give these duties to different clients`,
        });
      }
    }
    return violations;
  },
};
