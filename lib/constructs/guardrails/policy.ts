/**
 * The guardrail policy of one authorization (one environment). Every knob has
 * a recommended value; `ProcurementPolicy.recommended(environment)` is the
 * preset for procurement systems, stricter for production than elsewhere.
 */
import { LIMITS, Risk } from '../../model';
import type { Severity } from './rule';

/** Scope sets of which no single client may hold two: the duties that must stay apart. */
export const RECOMMENDED_CONFLICTING_SCOPE_SETS: readonly (readonly string[])[] = [
  ['po.create', 'po.approve'],
  ['invoice.submit', 'payment.approve'],
  ['catalog.read', 'payment.approve'],
  ['payment.create', 'payment.approve'],
];

/** `off` silences a rule for this authorization entirely (prefer a suppression with a reason). */
export type RuleSeverity = Severity | 'off';

export interface ProcurementPolicyProps {
  /** Name of the environment the policy guards, e.g. `dev` or `prod`; shown in findings. */
  readonly environment: string;
  /**
   * The only scopes that may exist or be granted in this environment: exact names
   * (`catalog.read`) or a resource prefix (`ticket.*`).
   * @default no allow-list: every scope is allowed and ALLOW-LIST does not apply
   */
  readonly allowedScopes?: readonly string[];
  /**
   * Scope sets of which no client's effective scopes may hold two.
   * @default RECOMMENDED_CONFLICTING_SCOPE_SETS (po.create/po.approve, invoice.submit/payment.approve, ...)
   */
  readonly conflictingScopeSets?: readonly (readonly string[])[];
  /**
   * Risk levels whose grants must be time-bound and justified.
   * @default high and critical
   */
  readonly timeBoundRisks?: readonly Risk[];
  /**
   * Longest time from now that a high-risk grant may run, in days.
   * @default 90
   */
  readonly maxHighRiskGrantDays?: number;
  /**
   * Largest `secretRotationDays` a client may declare.
   * @default 90 (the model's default rotation)
   */
  readonly maxSecretRotationDays?: number;
  /**
   * Severity per rule id, overriding each rule's registered severity.
   * @default every rule at its registered severity
   */
  readonly severities?: Readonly<Record<string, RuleSeverity>>;
}

export class ProcurementPolicy {
  /**
   * The recommended preset. Environments whose name starts with `prod` get the
   * strict variant: high-risk grants at most 30 days (elsewhere 90), secrets
   * rotated at least every 90 days (elsewhere 180), and LEAST-PRIVILEGE an error
   * (elsewhere a warning). `overrides` replace single settings.
   */
  static recommended(environment: string, overrides: Omit<ProcurementPolicyProps, 'environment'> = {}): ProcurementPolicy {
    const strict = /^prod/i.test(environment);
    return new ProcurementPolicy({
      environment,
      maxHighRiskGrantDays: strict ? 30 : 90,
      maxSecretRotationDays: strict ? 90 : 180,
      ...overrides,
      severities: { ...(strict ? { 'LEAST-PRIVILEGE': 'error' as const } : {}), ...overrides.severities },
    });
  }

  readonly environment: string;
  readonly allowedScopes: readonly string[] | undefined;
  readonly conflictingScopeSets: readonly (readonly string[])[];
  readonly timeBoundRisks: readonly Risk[];
  readonly maxHighRiskGrantDays: number;
  readonly maxSecretRotationDays: number;
  private readonly severities: Readonly<Record<string, RuleSeverity>>;

  constructor(props: ProcurementPolicyProps) {
    this.environment = props.environment;
    this.allowedScopes = props.allowedScopes;
    this.conflictingScopeSets = props.conflictingScopeSets ?? RECOMMENDED_CONFLICTING_SCOPE_SETS;
    this.timeBoundRisks = props.timeBoundRisks ?? ['high', 'critical'];
    this.maxHighRiskGrantDays = props.maxHighRiskGrantDays ?? 90;
    this.maxSecretRotationDays = props.maxSecretRotationDays ?? LIMITS.secretRotationDays.default;
    this.severities = props.severities ?? {};
    const problems = [
      ...positiveInteger('maxHighRiskGrantDays', this.maxHighRiskGrantDays),
      ...positiveInteger('maxSecretRotationDays', this.maxSecretRotationDays),
      ...this.conflictingScopeSets.filter(set => set.length < 2).map(set => `conflictingScopeSets: each set needs at least two scopes, got [${set.join(', ')}]`),
    ];
    if (problems.length > 0) throw new Error(`invalid ProcurementPolicy for '${props.environment}':\n  ${problems.join('\n  ')}`);
  }

  /** The severity of a rule under this policy. */
  severityOf(ruleId: string, registered: Severity): RuleSeverity {
    return this.severities[ruleId] ?? registered;
  }

  /** Whether the allow-list admits `scope` (always true without an allow-list). */
  allows(scope: string): boolean {
    if (this.allowedScopes === undefined) return true;
    return this.allowedScopes.some(entry => (entry.endsWith('.*') ? scope.startsWith(entry.slice(0, -1)) : entry === scope));
  }

  /** The severity ids that name no rule, so that a typo does not silently disable nothing. */
  unknownRuleIds(known: ReadonlySet<string>): string[] {
    return Object.keys(this.severities).filter(id => !known.has(id));
  }
}

function positiveInteger(field: string, value: number): string[] {
  return Number.isInteger(value) && value > 0 ? [] : [`${field} must be a positive whole number of days, got ${value}`];
}
