import { isExpired } from '../../model/effective-scopes';
import { timestampProblem } from '../../model/timestamp';
import { PolicyRule, Violation } from '../rule';

/**
 * A subject whose expiresAt has already passed grants nothing: dead weight in the change, and a sign that the
 * grant was meant to be renewed or removed. A warning: nothing is granted by it, so nothing is at risk.
 * An expiresAt that cannot be compared is PROPS's (and TIME-BOUND-HIGH-RISK's) to report, not this rule's.
 */
export const expiredGrant: PolicyRule = {
  id: 'EXPIRED-GRANT',
  severity: 'warning',
  exceptionsAllowed: true,
  finding: 'A grant is not declared with an expiresAt already in the past.',
  explanation:
    'A subject whose expiresAt has passed grants nothing, so the token endpoint refuses its scopes. ' +
    'Remove the subject, or renew the grant with a later expiresAt through a reviewed change.',
  check: ({ model, now }) => {
    const violations: Violation[] = [];
    for (const binding of model.roleBindings) {
      binding.subjects.forEach((subject, i) => {
        if (subject.expiresAt == null || timestampProblem(subject.expiresAt) !== null || !isExpired(subject.expiresAt, now)) return;
        violations.push({
          object: { kind: 'role-bindings', key: binding.name },
          related: [{ kind: 'clients', key: subject.clientId }, { kind: 'roles', key: binding.role }],
          field: ['subjects', i, 'expiresAt'],
          message: `binding '${binding.name}' grants role '${binding.role}' to '${subject.clientId}' until ${subject.expiresAt}, which has already passed: it grants nothing`,
          remedy: 'remove the subject, or give it a later expiresAt if the grant is still needed',
        });
      });
    }
    return violations;
  },
};
