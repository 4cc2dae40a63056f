/**
 * What a policy rule is (the cdk-nag shape): a small pure function over the
 * model, the policy and a clock, registered with a stable id, a default
 * severity, a one-line finding and an explanation with the fix.
 */
import { Grant } from '../model/effective-scopes';
import { ObjectRef } from './object-ref';
import { PolicyDocument, Severity } from './policy-document';
import { ModelIndex } from './model-index';
import { PolicyModel } from './policy-model';
import { TokenFacet } from './token-rule';

export interface RuleContext {
  readonly model: PolicyModel;
  readonly policy: PolicyDocument;
  readonly now: Date;
  /** Lookups over `model` computed once per evaluation and shared by the rules. */
  readonly index: ModelIndex;
}

export interface Violation {
  /** The object at fault: where a gate reports the finding, and what an exception names. */
  readonly object: ObjectRef;
  /** Other objects that make up the violation (the binding, role and scopes behind a grant). */
  readonly related?: readonly ObjectRef[];
  /** Path inside `object` in model terms, e.g. `['subjects', 0, 'expiresAt']`, when one field is at fault. */
  readonly field?: readonly (string | number)[];
  /** What is wrong in the user's terms, with the values involved. */
  readonly message: string;
  /** What to do about it. */
  readonly remedy: string;
}

/** A rule answers its violations (none = compliant) or that it does not apply under this policy. */
export type RuleOutcome = readonly Violation[] | 'not-applicable';

export interface PolicyRule {
  /** Stable id, shown in every finding and named by exceptions and policy severities. */
  readonly id: string;
  readonly severity: Severity;
  /** Whether a policy exception may accept its findings (rules whose violation would fail at apply may not). */
  readonly exceptionsAllowed: boolean;
  /** One line: what the rule enforces. */
  readonly finding: string;
  /** Why it matters and how to fix a violation. */
  readonly explanation: string;
  readonly check: (context: RuleContext) => RuleOutcome;
  /**
   * How the rule withholds a grant at the token endpoint, for a rule whose violation must stop a token and not
   * only a write (a binding in the store may predate the policy in force). Asked where admission would refuse:
   * the rule an error under the policy, and no active exception for the object.
   */
  readonly token?: TokenFacet;
}

/** `payment.approve (role approver via binding approvers)`. */
export function describeGrant(grant: Grant): string {
  return `${grant.scope} (role ${grant.role} via binding ${grant.binding})`;
}

/** The role and binding behind a grant, as related objects. */
export function grantRefs(grant: Grant): ObjectRef[] {
  return [
    { kind: 'role-bindings', key: grant.binding },
    { kind: 'roles', key: grant.role },
    { kind: 'scopes', key: grant.scope },
  ];
}
