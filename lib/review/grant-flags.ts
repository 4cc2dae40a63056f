/**
 * The flags on one grant a plan gives: its risk, whether the client is
 * external, and what the policy's findings say about it. Policy flags come
 * from the findings (lib/policy's rules), never from a check of the review's own.
 */
import { Client, Risk } from '../model/types';
import { ObjectRef } from '../policy';
import { HeldScope } from './held-scopes';
import { ReviewFinding } from './review-policy';

type PolicyFlag = 'separation of duties' | 'external isolation' | 'no expiry' | 'not time-bound';

export type Flag =
  | 'critical'
  | 'high'
  | 'risk unknown'
  | 'external client'
  | PolicyFlag
  | `${PolicyFlag} (accepted)`
  | 'risk lowered'
  | 'risk raised'
  | 'now external'
  | 'client now external';

/** Rules whose findings are about a grant, and the word the review flags the grant with. */
const GRANT_RULES: Readonly<Record<string, PolicyFlag>> = {
  'SEPARATION-OF-DUTIES': 'separation of duties',
  'EXTERNAL-ISOLATION': 'external isolation',
  'TIME-BOUND-HIGH-RISK': 'not time-bound',
};

/** `risk`: the scope's, 'unknown' when the plan leaves it to apply (it might be critical), null when undefined. */
export function grantFlags(held: HeldScope, risk: Risk | 'unknown' | null, client: Client | null, findings: readonly ReviewFinding[]): Flag[] {
  const flags: Flag[] = [];
  if (risk === 'critical' || risk === 'high') flags.push(risk);
  if (risk === 'unknown') flags.push('risk unknown');
  if (client?.external) flags.push('external client');
  for (const finding of findings) {
    const label = GRANT_RULES[finding.ruleId];
    if (!label || !concerns(finding, held.clientId, held.scope)) continue;
    const word: PolicyFlag = label === 'not time-bound' && held.expiresAt === null ? 'no expiry' : label;
    const flag: Flag = finding.exception ? `${word} (accepted)` : word;
    if (!flags.includes(flag)) flags.push(flag);
  }
  return flags;
}

/** Whether a finding is about this client holding this scope. */
export function concerns(finding: Pick<ReviewFinding, 'object' | 'related'>, clientId: string, scope: string): boolean {
  const names = (kind: ObjectRef['kind'], key: string) => [finding.object, ...finding.related].some(o => o?.kind === kind && o.key === key);
  return names('clients', clientId) && names('scopes', scope);
}

/** Whether a flag asks a reviewer to look (risk, or a policy finding no exception accepts). */
export function isWarning(flag: Flag): boolean {
  return flag !== 'external client' && !flag.endsWith('(accepted)');
}
