/**
 * Runs every rule over one model under one policy and collects all findings:
 * one rule failing (or throwing) never hides what the others found. Every
 * gate calls this; each only adapts its input and reports the findings.
 */
import { exceptionFor, PolicyDocument, severityOf } from './policy-document';
import { Finding } from './finding';
import { ModelIndex } from './model-index';
import { PolicyModel } from './policy-model';
import { RULE_FAILED_ID, RULES } from './registry';
import { PolicyRule } from './rule';

export function evaluatePolicy(model: PolicyModel, policy: PolicyDocument, now: Date, rules: readonly PolicyRule[] = RULES): Finding[] {
  const context = { model, policy, now, index: new ModelIndex(model, now) };
  const findings: Finding[] = [];
  for (const rule of rules) {
    const severity = severityOf(policy, rule.id, rule.severity);
    if (severity === 'off') continue;
    try {
      const outcome = rule.check(context);
      if (outcome === 'not-applicable') continue;
      for (const v of outcome) {
        const exception = rule.exceptionsAllowed ? exceptionFor(policy, rule.id, v.object, now) : undefined;
        findings.push({ ruleId: rule.id, severity, related: [], ...v, ...(exception ? { exception } : {}) });
      }
    } catch (error) {
      findings.push({
        ruleId: RULE_FAILED_ID,
        severity: 'error',
        object: null,
        related: [],
        message: `rule ${rule.id} failed: ${error instanceof Error ? error.message : String(error)}`,
        remedy: "this is a bug in the rule, please report it (to go on meanwhile, set its severity to 'off' in the policy)",
      });
    }
  }
  return findings;
}
