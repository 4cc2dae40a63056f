import { describeGrant, grantRefs, PolicyRule, Violation } from '../rule';

/** Warn when a client holds a scope and one that already implies it (redundant breadth). */
export const leastPrivilege: PolicyRule = {
  id: 'LEAST-PRIVILEGE',
  severity: 'warning',
  exceptionsAllowed: true,
  finding: 'A client should not hold a scope that another scope it holds already implies.',
  explanation:
    'Holding ticket.write and ticket.comment looks like two decisions but is one: the narrower grant hides how broad the access is ' +
    'and survives when the broad one is revoked. Grant only the narrowest scope that does the job.',
  check: ({ index }) => {
    const violations: Violation[] = [];
    for (const [clientId, grants] of index.grantsByClient()) {
      for (const broad of grants) {
        const implied = index.withImplied([broad.scope]);
        implied.delete(broad.scope);
        for (const narrow of grants.filter(g => g.scope !== broad.scope && implied.has(g.scope))) {
          violations.push({
            object: { kind: 'clients', key: clientId },
            related: [...grantRefs(narrow), ...grantRefs(broad)],
            message: `client '${clientId}' holds ${describeGrant(narrow)} and ${describeGrant(broad)}, which already implies it`,
            remedy: `drop ${narrow.scope} from role '${narrow.role}' or grant only the narrower scope`,
          });
        }
      }
    }
    return violations;
  },
};
