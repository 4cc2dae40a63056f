/**
 * The policy is data: one JSON document per environment, held by the server,
 * declared by a stack, reviewed like any other change. This file says what it
 * holds and answers the questions rules ask of it; its schema and validation
 * are in validate-policy.ts, the recommended presets in presets.ts.
 */
import { parseTimestamp } from '../model/timestamp';
import { Risk } from '../model/types';
import { ObjectRef, sameObject } from './object-ref';

export type Severity = 'error' | 'warning';

/** `off` silences a rule for the environment entirely (prefer an exception with a reason). */
export type RuleSeverity = Severity | 'off';

/** A finding the policy accepts: visible in every report and review, never blocking. Today's "suppression". */
export interface PolicyException {
  /** The rule whose finding is accepted. */
  readonly ruleId: string;
  /** The object the finding is about (a finding's `object`). */
  readonly object: ObjectRef;
  /** Why the rule does not apply here and who accepted it (at least MIN_EXCEPTION_REASON characters). */
  readonly reason: string;
  /** RFC 3339 instant after which the exception no longer applies; null: until the policy changes. */
  readonly expiresAt: string | null;
}

/** Shortest written reason an exception may carry, spaces at either end not counted. */
export const MIN_EXCEPTION_REASON = 10;

export interface PolicyDocument {
  /** The environment the policy guards, e.g. `dev` or `prod`; shown in findings. */
  readonly environment: string;
  /** The only scopes that may exist or be granted: exact names or a resource prefix (`ticket.*`); null: no allow-list. */
  readonly allowedScopes: readonly string[] | null;
  /** Scope sets of which no client's effective scopes may hold two. */
  readonly conflictingScopeSets: readonly (readonly string[])[];
  /** Risk levels whose grants must be time-bound and justified. */
  readonly timeBoundRisks: readonly Risk[];
  /** Longest time from now that a grant of a time-bound risk may run, in days. */
  readonly maxHighRiskGrantDays: number;
  /** Largest `secretRotationDays` a client may declare. */
  readonly maxSecretRotationDays: number;
  /** High or critical scopes that may be marked external (granted to suppliers); any other such scope may not. */
  readonly externalHighRiskScopes: readonly string[];
  /** Severity per rule id, overriding the rule's own. */
  readonly severities: Readonly<Record<string, RuleSeverity>>;
  readonly exceptions: readonly PolicyException[];
}

/** Risks that are never external unless the policy names the scope. */
export const HIGH_RISKS: readonly Risk[] = ['high', 'critical'];

/** Whether the allow-list admits `scope` (always true without an allow-list). */
export function allows(policy: PolicyDocument, scope: string): boolean {
  if (policy.allowedScopes === null) return true;
  return policy.allowedScopes.some(entry => (entry.endsWith('.*') ? scope.startsWith(entry.slice(0, -1)) : entry === scope));
}

/** The severity of a rule under this policy. */
export function severityOf(policy: PolicyDocument, ruleId: string, registered: Severity): RuleSeverity {
  return policy.severities[ruleId] ?? registered;
}

/** Whether an exception still applies at `now`. */
export function isActive(exception: PolicyException, now: Date): boolean {
  return exception.expiresAt === null || parseTimestamp(exception.expiresAt) > now.getTime();
}

/** The exception that accepts a finding of `ruleId` about `object` at `now`, if any. */
export function exceptionFor(policy: PolicyDocument, ruleId: string, object: ObjectRef | null, now: Date): PolicyException | undefined {
  if (object === null) return undefined;
  return policy.exceptions.find(e => e.ruleId === ruleId && sameObject(e.object, object) && isActive(e, now));
}
