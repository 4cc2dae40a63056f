/**
 * Every policy rule, by stable id. Two more ids name findings that are not
 * rules: PROPS (an object that breaks the model's JSON Schemas) and
 * RULE-FAILED (a rule that threw: reported, never a crash).
 */
import { PolicyRule } from './rule';
import { allowList } from './rules/allow-list';
import { duplicates } from './rules/duplicates';
import { expiredGrant } from './rules/expired-grant';
import { externalIsolation } from './rules/external-isolation';
import { leastPrivilege } from './rules/least-privilege';
import { references } from './rules/references';
import { rotation } from './rules/rotation';
import { separationOfDuties } from './rules/separation-of-duties';
import { timeBoundHighRisk } from './rules/time-bound-high-risk';

export const RULES: readonly PolicyRule[] = [
  allowList,
  separationOfDuties,
  externalIsolation,
  timeBoundHighRisk,
  expiredGrant,
  leastPrivilege,
  rotation,
  references,
  duplicates,
];

export const PROPS_ID = 'PROPS';
export const RULE_FAILED_ID = 'RULE-FAILED';

/** Ids a policy severity may name. */
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map(r => r.id));

/** Ids a policy exception may name: the rules whose violation would not also fail at apply. */
export const EXCEPTION_RULE_IDS: ReadonlySet<string> = new Set(RULES.filter(r => r.exceptionsAllowed).map(r => r.id));

export function ruleById(id: string): PolicyRule | undefined {
  return RULES.find(r => r.id === id);
}
