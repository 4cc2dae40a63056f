/** One result of judging a model against the policy, in the shape every gate reports. */
import { ObjectRef } from './object-ref';
import { PolicyException, Severity } from './policy-document';

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** The object at fault; null for a finding about the model as a whole (RULE-FAILED). */
  readonly object: ObjectRef | null;
  readonly related: readonly ObjectRef[];
  /** Path inside `object` in model terms, when one field is at fault. */
  readonly field?: readonly (string | number)[];
  readonly message: string;
  readonly remedy: string;
  /** The policy exception that accepts this finding: it is then reported, never blocking. */
  readonly exception?: PolicyException;
}

/** What is wrong and what to do, as one sentence: `message; remedy`. */
export function findingText(finding: Pick<Finding, 'message' | 'remedy'>): string {
  return finding.remedy ? `${finding.message}; ${finding.remedy}` : finding.message;
}

/** Whether a finding stops the change: an error no exception accepts. */
export function isBlocking(finding: Finding): boolean {
  return finding.severity === 'error' && finding.exception === undefined;
}
