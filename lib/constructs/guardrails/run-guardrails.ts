/**
 * Runs every rule over one authorization and collects all findings: one rule
 * failing (or throwing) never hides what the others found.
 */
import { Finding } from './finding';
import { ProcurementPolicy } from './policy';
import { RULE_FAILED_ID, RULE_IDS, RULES } from './registry';
import { GuardrailModel, GuardrailRule } from './rule';

export function runGuardrails(
  model: GuardrailModel,
  policy: ProcurementPolicy,
  now: Date,
  rules: readonly GuardrailRule[] = RULES,
): Finding[] {
  const findings: Finding[] = policy.unknownRuleIds(RULE_IDS).map(id => ({
    ruleId: RULE_FAILED_ID,
    severity: 'error',
    path: model.path,
    message: `the '${policy.environment}' policy sets a severity for unknown rule '${id}' (known: ${[...RULE_IDS].join(', ')}): fix the id`,
  }));
  for (const rule of rules) {
    const severity = policy.severityOf(rule.id, rule.severity);
    if (severity === 'off') continue;
    try {
      const outcome = rule.check({ model, policy, now });
      if (outcome === 'not-applicable') continue;
      findings.push(...outcome.map(v => ({ ruleId: rule.id, severity, path: v.path, message: v.message })));
    } catch (error) {
      findings.push({
        ruleId: RULE_FAILED_ID,
        severity: 'error',
        path: model.path,
        message: `rule ${rule.id} failed: ${error instanceof Error ? error.message : String(error)}; this is a bug in the rule, please report it (to go on meanwhile, set its severity to 'off' in the policy)`,
      });
    }
  }
  return findings;
}
