/**
 * Every guardrail rule, by stable id. Two more ids name findings that are not
 * rules: PROPS (props that break the model's JSON Schemas) and RULE-FAILED (a
 * rule that threw: reported, never a crash).
 */
import { GuardrailRule } from './rule';
import { allowList } from './rules/allow-list';
import { duplicates } from './rules/duplicates';
import { externalIsolation } from './rules/external-isolation';
import { leastPrivilege } from './rules/least-privilege';
import { references } from './rules/references';
import { rotation } from './rules/rotation';
import { separationOfDuties } from './rules/separation-of-duties';
import { timeBoundHighRisk } from './rules/time-bound-high-risk';

export const RULES: readonly GuardrailRule[] = [
  allowList,
  separationOfDuties,
  externalIsolation,
  timeBoundHighRisk,
  leastPrivilege,
  rotation,
  references,
  duplicates,
];

export const PROPS_ID = 'PROPS';
export const RULE_FAILED_ID = 'RULE-FAILED';

/** Ids a suppression or a policy severity may name. */
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map(r => r.id));
