import { isExpired } from '../../model/effective-scopes';
import { parseTimestamp, timestampProblem } from '../../model/timestamp';
import { Subject } from '../../model/types';
import { isDeclared } from '../policy-model';
import { PolicyRule, Violation } from '../rule';
import { Withholding } from '../token-rule';

const DAY_MS = 86_400_000;

/** Bindings that carry time-bound-risk scopes need expiresAt within the maximum window and a justification. */
export const timeBoundHighRisk: PolicyRule = {
  id: 'TIME-BOUND-HIGH-RISK',
  severity: 'error',
  exceptionsAllowed: true,
  finding: 'Grants of high-risk scopes must expire within the policy window and carry a justification.',
  explanation:
    'Standing access to approve payments or purchase orders outlives the need for it. ' +
    'Give each subject of such a binding an expiresAt no later than the window allows and a justification (a change ticket); ' +
    'renew it through a reviewed change when it runs out.',
  check: ({ model, policy, now, index }) => {
    const roleScopes = new Map(model.roles.filter(isDeclared).map(r => [r.name, r.scopes]));
    const latest = now.getTime() + policy.maxHighRiskGrantDays * DAY_MS;
    const window = `an expiresAt no later than ${new Date(latest).toISOString()} (${policy.maxHighRiskGrantDays} days from now)`;
    const violations: Violation[] = [];
    for (const binding of model.roleBindings) {
      const risky = [...index.withImplied(roleScopes.get(binding.role) ?? [])]
        .filter(scope => {
          const risk = index.scopes().get(scope)?.risk;
          return risk !== undefined && policy.timeBoundRisks.includes(risk);
        })
        .sort();
      if (risky.length === 0) continue;
      const what = `binding '${binding.name}' grants ${risky.map(s => `${s} (${index.scopes().get(s)!.risk})`).join(', ')} through role '${binding.role}'`;
      binding.subjects.forEach((subject, i) => {
        const problems = problemsOf(subject, latest);
        if (problems.length === 0) return;
        violations.push({
          object: { kind: 'role-bindings', key: binding.name },
          related: [{ kind: 'clients', key: subject.clientId }, { kind: 'roles', key: binding.role }, ...risky.map(key => ({ kind: 'scopes' as const, key }))],
          field: ['subjects', i],
          message: `${what}; subject '${subject.clientId}' ${problems.join(' and ')}`,
          remedy: `give it ${window}${subject.justification === null ? ' and a justification naming the change ticket that approved it' : ''}`,
        });
      });
    }
    return violations;
  },
  token: {
    judges: 'scope',
    withhold: ({ clientId, input, policy, now, scopes, withImplied }) => {
      const roleScopes = new Map(input.roles.map(r => [r.name, r.scopes]));
      const latest = now.getTime() + policy.maxHighRiskGrantDays * DAY_MS;
      const out: Withholding[] = [];
      for (const binding of input.roleBindings) {
        const subject = binding.subjects.find(s => s.clientId === clientId);
        if (!subject || isExpired(subject.expiresAt, now)) continue;
        const problems = problemsOf(subject, latest);
        if (problems.length === 0) continue;
        for (const scope of [...withImplied(roleScopes.get(binding.role) ?? [])].sort()) {
          const risk = scopes.get(scope)?.risk;
          if (risk === undefined || !policy.timeBoundRisks.includes(risk)) continue;
          out.push({
            scope,
            object: { kind: 'role-bindings', key: binding.name },
            reason:
              `binding '${binding.name}' grants ${scope} (${risk}) through role '${binding.role}'; subject '${clientId}' ${problems.join(' and ')}: ` +
              `the '${policy.environment}' policy wants an expiresAt at most ${policy.maxHighRiskGrantDays} days ahead and a justification; renew the grant through a reviewed change`,
          });
        }
      }
      return out;
    },
  },
};

function problemsOf(subject: Subject, latest: number): string[] {
  const problems: string[] = [];
  if (subject.expiresAt === null) problems.push('has no expiresAt');
  else if (timestampProblem(subject.expiresAt) !== null) {
    problems.push(`has an expiresAt that cannot be compared (${timestampProblem(subject.expiresAt)}, got '${subject.expiresAt}')`);
  } else if (parseTimestamp(subject.expiresAt) > latest) problems.push(`expires ${subject.expiresAt}, beyond the window`);
  if (subject.justification === null) problems.push('has no justification');
  return problems;
}
