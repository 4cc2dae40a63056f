import { allows } from '../policy-document';
import { isDeclared } from '../policy-model';
import { PolicyRule, Violation } from '../rule';

/** Per environment, only listed scopes may exist or be granted. */
export const allowList: PolicyRule = {
  id: 'ALLOW-LIST',
  severity: 'error',
  exceptionsAllowed: true,
  finding: 'Only scopes on the environment allow-list may exist or be granted.',
  explanation:
    'An allow-list keeps experimental or production-only scopes out of the wrong environment. ' +
    "Add the scope to the policy's allowedScopes for this environment, or remove it.",
  check: ({ model, policy }) => {
    if (policy.allowedScopes === null) return 'not-applicable';
    const remedy = `allowed here: ${policy.allowedScopes.join(', ') || 'none'}. Add it to allowedScopes of the '${policy.environment}' policy or remove it`;
    const declared = new Set(model.scopes.filter(isDeclared).map(s => s.name));
    const violations: Violation[] = model.scopes
      .filter(isDeclared)
      .filter(s => !allows(policy, s.name))
      .map(s => ({
        object: { kind: 'scopes', key: s.name },
        message: `scope '${s.name}' is not on the allow-list of environment '${policy.environment}'`,
        remedy,
      }));
    // Scopes not declared here (referenced by key) are judged where they are granted: in the roles naming them.
    for (const role of model.roles.filter(isDeclared)) {
      for (const scope of role.scopes) {
        if (declared.has(scope) || allows(policy, scope)) continue;
        violations.push({
          object: { kind: 'roles', key: role.name },
          related: [{ kind: 'scopes', key: scope }],
          field: ['scopes'],
          message: `role '${role.name}' grants scope '${scope}', which is not on the allow-list of environment '${policy.environment}'`,
          remedy,
        });
      }
    }
    return violations;
  },
  token: {
    judges: 'scope',
    withhold: ({ policy, held }) =>
      held
        .filter(scope => !allows(policy, scope))
        .map(scope => ({
          scope,
          object: { kind: 'scopes', key: scope },
          reason: `${scope} is not on the allow-list of environment '${policy.environment}': add it to allowedScopes of the '${policy.environment}' policy, or remove the grant`,
        })),
  },
};
