import { withImplied } from '../../../model';
import { clientPath, describeGrant, grantsByClient, GuardrailRule, implications, Violation } from '../rule';

/** Warn when a client holds a scope and one that already implies it (redundant breadth). */
export const leastPrivilege: GuardrailRule = {
  id: 'LEAST-PRIVILEGE',
  severity: 'warning',
  finding: 'A client should not hold a scope that another scope it holds already implies.',
  explanation:
    'Holding ticket.write and ticket.comment looks like two decisions but is one: the narrower grant hides how broad the access is ' +
    'and survives when the broad one is revoked. Grant only the narrowest scope that does the job.',
  check: context => {
    const scopes = implications(context.model);
    const violations: Violation[] = [];
    for (const [clientId, grants] of grantsByClient(context)) {
      for (const broad of grants) {
        const implied = withImplied([broad.scope], scopes);
        implied.delete(broad.scope);
        for (const narrow of grants.filter(g => g.scope !== broad.scope && implied.has(g.scope))) {
          violations.push({
            path: clientPath(context, clientId),
            message:
              `client '${clientId}' holds ${describeGrant(narrow)} and ${describeGrant(broad)}, which already implies it; ` +
              `drop ${narrow.scope} from role '${narrow.role}' or grant only the narrower scope`,
          });
        }
      }
    }
    return violations;
  },
};
