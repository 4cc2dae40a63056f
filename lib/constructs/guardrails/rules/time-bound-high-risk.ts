import { withImplied } from '../../../model';
import { GuardrailRule, implications, Violation } from '../rule';

const DAY_MS = 86_400_000;

/** Bindings that carry high/critical scopes need expiresAt within the maximum window and a justification. */
export const timeBoundHighRisk: GuardrailRule = {
  id: 'TIME-BOUND-HIGH-RISK',
  severity: 'error',
  finding: 'Grants of high-risk scopes must expire within the policy window and carry a justification.',
  explanation:
    'Standing access to approve payments or purchase orders outlives the need for it. ' +
    'Give each subject of such a binding an expiresAt no later than the window allows and a justification (a change ticket); ' +
    'renew it through a reviewed change when it runs out.',
  check: ({ model, policy, now }) => {
    const scopes = implications(model);
    const risk = new Map(model.scopes.map(s => [s.value.name, s.value.risk]));
    const roleScopes = new Map(model.roles.map(r => [r.value.name, r.value.scopes ?? []]));
    const latest = new Date(now.getTime() + policy.maxHighRiskGrantDays * DAY_MS);
    const violations: Violation[] = [];
    for (const { path, value: binding } of model.roleBindings) {
      const risky = [...withImplied(roleScopes.get(binding.role) ?? [], scopes)]
        .filter(scope => policy.timeBoundRisks.includes(risk.get(scope)!))
        .sort();
      if (risky.length === 0) continue;
      const what = `binding '${binding.name}' grants ${risky.map(s => `${s} (${risk.get(s)})`).join(', ')} through role '${binding.role}'`;
      const window = `expiresAt no later than ${latest.toISOString()} (${policy.maxHighRiskGrantDays} days from now)`;
      for (const subject of binding.subjects) {
        const problems: string[] = [];
        if (subject.expiresAt === null) problems.push(`has no expiresAt: give it an ${window}`);
        else if (Date.parse(subject.expiresAt) > latest.getTime()) problems.push(`expires ${subject.expiresAt}, beyond the window: use an ${window}`);
        if (subject.justification === null) problems.push('has no justification: name the change ticket that approved it');
        if (problems.length > 0) violations.push({ path, message: `${what}; subject '${subject.clientId}' ${problems.join('; and ')}` });
      }
    }
    return violations;
  },
};
