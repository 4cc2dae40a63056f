/**
 * The recommended policy for procurement systems. Environments whose name
 * starts with `prod` get the strict variant: high-risk grants at most 30 days
 * (elsewhere 90), secrets rotated at least every 90 days (elsewhere 180), and
 * LEAST-PRIVILEGE an error (elsewhere a warning).
 */
import { PolicyDocument } from './policy-document';

/** Scope sets of which no single client may hold two: the duties that must stay apart. */
export const RECOMMENDED_CONFLICTING_SCOPE_SETS: readonly (readonly string[])[] = [
  ['po.create', 'po.approve'],
  ['invoice.submit', 'payment.approve'],
  ['catalog.read', 'payment.approve'],
  ['payment.create', 'payment.approve'],
];

/** Settings that replace the preset's; `severities` are merged over the preset's. */
export type PolicyOverrides = Partial<Omit<PolicyDocument, 'environment'>>;

/** Whether an environment gets the strict preset: its name starts with `prod` (any case). */
export function isStrictEnvironment(environment: string): boolean {
  return /^prod/i.test(environment);
}

/** The recommended policy of `environment` with `overrides` applied. Not validated: see validatePolicy. */
export function recommendedPolicy(environment: string, overrides: PolicyOverrides = {}): PolicyDocument {
  const strict = isStrictEnvironment(environment);
  return {
    environment,
    allowedScopes: null,
    conflictingScopeSets: RECOMMENDED_CONFLICTING_SCOPE_SETS,
    timeBoundRisks: ['high', 'critical'],
    maxHighRiskGrantDays: strict ? 30 : 90,
    maxSecretRotationDays: strict ? 90 : 180,
    externalHighRiskScopes: [],
    exceptions: [],
    ...withoutUndefined(overrides),
    severities: { ...(strict ? { 'LEAST-PRIVILEGE': 'error' as const } : {}), ...overrides.severities },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
