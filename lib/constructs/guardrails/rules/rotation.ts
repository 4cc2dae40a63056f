import { GuardrailRule } from '../rule';

/** secretRotationDays must not exceed the policy maximum. */
export const rotation: GuardrailRule = {
  id: 'ROTATION',
  severity: 'error',
  finding: 'Client secrets must be rotated at least as often as the policy requires.',
  explanation:
    'A long-lived secret is a long-lived breach once it leaks. Lower secretRotationDays to the policy maximum ' +
    'and rotate the secret through the admin API secret rotation before it runs out.',
  check: ({ model, policy }) =>
    model.clients
      .filter(c => !c.imported && (c.value.secretRotationDays ?? 0) > policy.maxSecretRotationDays)
      .map(c => ({
        path: c.path,
        message:
          `client '${c.value.clientId}' rotates its secret every ${c.value.secretRotationDays} days, ` +
          `more than the ${policy.maxSecretRotationDays} days environment '${policy.environment}' allows: set secretRotationDays to ${policy.maxSecretRotationDays} or less`,
      })),
};
