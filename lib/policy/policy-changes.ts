/**
 * What changes between two policy documents, in a reviewer's words, one line
 * per change: exceptions added, removed or changed (rule, object, reason,
 * expiry) and each setting before → after (sets as what was added and
 * removed). The plan warning and the review both say a policy change this
 * way, never as the whole document.
 */
import { PolicyDocument, PolicyException } from './policy-document';

type Setting = Exclude<keyof PolicyDocument, 'environment' | 'exceptions'>;

const SETTINGS: readonly Setting[] = [
  'allowedScopes',
  'conflictingScopeSets',
  'timeBoundRisks',
  'maxHighRiskGrantDays',
  'maxSecretRotationDays',
  'externalHighRiskScopes',
  'severities',
];

export function policyChanges(before: PolicyDocument, after: PolicyDocument): string[] {
  const lines: string[] = [];
  if (before.environment !== after.environment) lines.push(`environment ${before.environment} → ${after.environment}`);
  for (const setting of SETTINGS) lines.push(...settingChanges(setting, before[setting], after[setting]));
  return [...lines, ...exceptionChanges(before.exceptions, after.exceptions)];
}

function settingChanges(name: Setting, before: unknown, after: unknown): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const item = (x: unknown) => (Array.isArray(x) ? `{${x.join(', ')}}` : String(x));
    const [was, is] = [before.map(item), after.map(item)];
    const delta = [...is.filter(x => !was.includes(x)).map(x => `+ ${x}`), ...was.filter(x => !is.includes(x)).map(x => `− ${x}`)];
    return delta.length ? [`${name}: ${delta.join(', ')}`] : [];
  }
  if (isRecord(before) && isRecord(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .sort()
      .filter(key => before[key] !== after[key])
      .map(key => `${name}.${key}: ${before[key] ?? 'default'} → ${after[key] ?? 'default'}`);
  }
  const show = (v: unknown) => (v === null ? 'none' : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
  return [`${name}: ${show(before)} → ${show(after)}`];
}

function exceptionChanges(before: readonly PolicyException[], after: readonly PolicyException[]): string[] {
  const key = (e: PolicyException) => `${e.ruleId} for ${e.object.kind} ${e.object.key}`;
  const until = (e: PolicyException) => e.expiresAt ?? 'no end';
  const lines: string[] = [];
  for (const e of after) {
    const old = before.find(o => key(o) === key(e));
    if (!old) lines.push(`exception added: ${key(e)} until ${until(e)}, because "${e.reason}"`);
    else if (old.reason !== e.reason || until(old) !== until(e)) {
      const parts = [until(old) !== until(e) ? `until ${until(old)} → ${until(e)}` : '', old.reason !== e.reason ? `reason "${old.reason}" → "${e.reason}"` : ''];
      lines.push(`exception changed: ${key(e)}: ${parts.filter(Boolean).join('; ')}`);
    }
  }
  for (const e of before) if (!after.some(o => key(o) === key(e))) lines.push(`exception removed: ${key(e)} (was until ${until(e)}, because "${e.reason}")`);
  return lines;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
