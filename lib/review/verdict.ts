/**
 * The verdict line: what needs a reviewer's attention, each grant counted
 * once however many flags it carries, naming the worst one; else what
 * changes. `flagged` is what `review --fail-on-flags` gates on.
 */
import { RISKS } from '../model/types';
import { concerns, isWarning } from './grant-flags';
import { Review, ScopeChange } from './review-types';

export function verdictOf(r: Omit<Review, 'verdict' | 'flagged'>): { verdict: string; flagged: boolean } {
  const grants = r.scopeChanges.filter(c => c.change !== 'lost');
  const risky = grants.filter(c => c.flags.some(isWarning)).sort(worstFirst);
  // A finding about a risky grant is that grant's; the others this plan introduces count on their own.
  const otherFindings = r.findings.filter(f => f.flagged && !risky.some(g => concerns(f, g.clientId, g.scope))).length;
  const newExceptions = r.exceptions.filter(e => e.isNew).length;
  const riskierDefinitions = r.definitions.filter(d => d.flags.length > 0).length + r.clientAttributeChanges.filter(c => c.flags.length > 0).length;
  const unknownValues = r.unknown.reduce((n, u) => n + u.paths.length, 0);

  const warnings = [
    risky.length && `${count(risky.length, 'risky grant', '', '')} (worst: ${describe(risky[0])})`,
    otherFindings && count(otherFindings, 'policy finding', 'introduced', 'introduced'),
    newExceptions && count(newExceptions, 'new exception', 'to the policy', 'to the policy'),
    riskierDefinitions && count(riskierDefinitions, 'definition', 'loosened or made riskier', 'loosened or made riskier'),
    r.drift.length && count(r.drift.length, 'object', 'changed outside Terraform (drift)', 'changed outside Terraform (drift)'),
    unknownValues && count(unknownValues, 'value', 'known only after apply', 'known only after apply'),
  ].filter((w): w is string => typeof w === 'string');
  if (warnings.length > 0) return { verdict: `⚠ ${warnings.join('; ')}`, flagged: true };

  const gaining = new Set(grants.map(c => c.clientId)).size;
  const losing = new Set(r.scopeChanges.filter(c => c.change === 'lost').map(c => c.clientId)).size;
  const info = [
    gaining && count(gaining, 'client', 'gains scopes', 'gain scopes'),
    losing && count(losing, 'client', 'loses scopes', 'lose scopes'),
    r.addedClients.length && count(r.addedClients.length, 'new client', '', ''),
    r.removedClients.length && count(r.removedClients.length, 'removed client', '', ''),
  ].filter((w): w is string => typeof w === 'string');
  if (info.length > 0) return { verdict: `✓ No risk flags: ${info.join(', ')}`, flagged: false };
  return { verdict: '✓ No access changes', flagged: false };
}

/** `payment.approve (critical) to external client supplier-acme: external isolation, no expiry`. */
function describe(grant: ScopeChange): string {
  const external = grant.flags.includes('external client') ? 'external ' : '';
  const policy = grant.flags.filter(f => isWarning(f) && f !== 'critical' && f !== 'high' && f !== 'risk unknown');
  const verb = grant.change === 'extended' ? ' extended' : '';
  return `${grant.scope}${grant.risk ? ` (${grant.risk === 'unknown' ? 'risk unknown' : grant.risk})` : ''}${verb} to ${external}client ${grant.clientId}${policy.length ? `: ${policy.join(', ')}` : ''}`;
}

/** Highest risk first, then the most policy flags, then external clients. */
function worstFirst(a: ScopeChange, b: ScopeChange): number {
  // A risk left to apply might be the highest: it ranks above critical, never below low.
  const rank = (c: ScopeChange) => (c.risk === 'unknown' ? RISKS.length : c.risk ? RISKS.indexOf(c.risk) : -1);
  const warnings = (c: ScopeChange) => c.flags.filter(isWarning).length;
  const external = (c: ScopeChange) => (c.flags.includes('external client') ? 1 : 0);
  return rank(b) - rank(a) || warnings(b) - warnings(a) || external(b) - external(a) || a.clientId.localeCompare(b.clientId) || a.scope.localeCompare(b.scope);
}

/** "1 client gains x" / "2 clients gain x". */
export function count(n: number, noun: string, singular: string, plural: string): string {
  const tail = n === 1 ? singular : plural;
  return `${n} ${noun}${n === 1 ? '' : 's'}${tail ? ` ${tail}` : ''}`;
}
