import { GuardrailRule, Violation } from '../rule';

/** Per environment, only listed scopes may exist or be granted. */
export const allowList: GuardrailRule = {
  id: 'ALLOW-LIST',
  severity: 'error',
  finding: 'Only scopes on the environment allow-list may exist or be granted.',
  explanation:
    'An allow-list keeps experimental or production-only scopes out of the wrong environment. ' +
    "Add the scope to the policy's allowedScopes for this environment, or remove it.",
  check: ({ model, policy }) => {
    if (policy.allowedScopes === undefined) return 'not-applicable';
    const allowed = policy.allowedScopes.join(', ');
    const advice = `allowed here: ${allowed || 'none'}. Add it to allowedScopes of the '${policy.environment}' policy or remove it`;
    const owned = new Set(model.scopes.filter(s => !s.imported).map(s => s.value.name));
    const violations: Violation[] = model.scopes
      .filter(s => !s.imported && !policy.allows(s.value.name))
      .map(s => ({ path: s.path, message: `scope '${s.value.name}' is not on the allow-list of environment '${policy.environment}' (${advice})` }));
    // Scopes this code does not own are checked where they are granted: in the roles naming them.
    for (const role of model.roles) {
      for (const scope of role.value.scopes ?? []) {
        if (owned.has(scope) || policy.allows(scope)) continue;
        violations.push({ path: role.path, message: `role '${role.value.name}' grants scope '${scope}', which is not on the allow-list of environment '${policy.environment}' (${advice})` });
      }
    }
    return violations;
  },
};
