/** A finding as synth reports it: the policy layer's finding, located at a construct path. */
import { ObjectRef } from '../../policy';

export interface Finding {
  readonly ruleId: string;
  readonly severity: 'error' | 'warning';
  /** Construct path of the object at fault. */
  readonly path: string;
  /** What is wrong and what to do. */
  readonly message: string;
  /** The object the finding is about, as the policy names it (absent for PROPS and findings about the authorization). */
  readonly object?: ObjectRef;
  /** Set when a policy exception (a suppression) accepts the finding: it is then reported as info, never dropped. */
  readonly suppressedBecause?: string;
}

export interface Suppression {
  /** Construct path; the suppression covers the objects at this path and below it. */
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
  /** RFC 3339; after it the suppression no longer applies. null: until removed from the code. */
  readonly expiresAt: string | null;
}

/** `[construct/path] RULE-ID: message`, the one line every finding is reported as. */
export function formatFinding(finding: Finding): string {
  const suppressed = finding.suppressedBecause === undefined ? '' : ` (suppressed: ${finding.suppressedBecause})`;
  return `[${finding.path}] ${finding.ruleId}: ${finding.message}${suppressed}`;
}
