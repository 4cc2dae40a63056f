import { isDeclared } from '../policy-model';
import { PolicyRule } from '../rule';

/** secretRotationDays must not exceed the policy maximum. */
export const rotation: PolicyRule = {
  id: 'ROTATION',
  severity: 'error',
  exceptionsAllowed: true,
  finding: 'Client secrets must be rotated at least as often as the policy requires.',
  explanation:
    'A long-lived secret is a long-lived breach once it leaks. Lower secretRotationDays to the policy maximum ' +
    'and rotate the secret through the admin API secret rotation before it runs out.',
  check: ({ model, policy }) =>
    model.clients
      .filter(isDeclared)
      .filter(c => c.secretRotationDays > policy.maxSecretRotationDays)
      .map(c => ({
        object: { kind: 'clients', key: c.clientId },
        field: ['secretRotationDays'],
        message:
          `client '${c.clientId}' rotates its secret every ${c.secretRotationDays} days, ` +
          `more than the ${policy.maxSecretRotationDays} days environment '${policy.environment}' allows`,
        remedy: `set secretRotationDays to ${policy.maxSecretRotationDays} or less`,
      })),
};
