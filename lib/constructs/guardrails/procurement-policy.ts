/**
 * The constructs' view of a policy: a thin builder over the policy document
 * (lib/policy), so that a stack's policy is exactly the data the server holds
 * and `review` reads. `ProcurementPolicy.recommended(environment)` is the
 * preset for procurement systems, stricter for production than elsewhere.
 */
import { Risk } from '../../model';
import {
  allows,
  parsePolicy,
  PolicyDocument,
  PolicyException,
  RECOMMENDED_CONFLICTING_SCOPE_SETS,
  RuleSeverity,
  Severity,
  severityOf,
} from '../../policy';

export { RECOMMENDED_CONFLICTING_SCOPE_SETS };
export type { RuleSeverity, Severity };

export interface ProcurementPolicyProps {
  /** Name of the environment the policy guards, e.g. `dev` or `prod`; must equal the Authorization's. */
  readonly environment: string;
  /**
   * The only scopes that may exist or be granted in this environment: exact names
   * (`catalog.read`) or a resource prefix (`ticket.*`).
   * @default no allow-list (null): every scope is allowed and ALLOW-LIST does not apply
   */
  readonly allowedScopes?: readonly string[] | null;
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
   * @default 30 when the environment starts with `prod`, else 90
   */
  readonly maxHighRiskGrantDays?: number;
  /**
   * Largest `secretRotationDays` a client may declare.
   * @default 90 when the environment starts with `prod`, else 180
   */
  readonly maxSecretRotationDays?: number;
  /**
   * High or critical scopes that may be marked external, i.e. granted to supplier and partner clients.
   * @default none: a high or critical scope marked external is an EXTERNAL-ISOLATION finding
   */
  readonly externalHighRiskScopes?: readonly string[];
  /**
   * Severity per rule id, overriding each rule's registered severity.
   * @default LEAST-PRIVILEGE an error when the environment starts with `prod`; every other rule at its registered severity
   */
  readonly severities?: Readonly<Record<string, RuleSeverity>>;
  /**
   * Findings the policy accepts, each with a rule id, an object, a written reason and an expiry.
   * `Authorization.suppress` adds to these at synth.
   * @default none
   */
  readonly exceptions?: readonly PolicyException[];
}

export class ProcurementPolicy {
  /**
   * The recommended preset. Environments whose name starts with `prod` get the
   * strict variant: high-risk grants at most 30 days (elsewhere 90), secrets
   * rotated at least every 90 days (elsewhere 180), and LEAST-PRIVILEGE an error
   * (elsewhere a warning). `overrides` replace single settings; `severities` merge.
   */
  static recommended(environment: string, overrides: Omit<ProcurementPolicyProps, 'environment'> = {}): ProcurementPolicy {
    return new ProcurementPolicy({ environment, ...overrides });
  }

  /** A policy from its JSON document (as the server holds it); fails naming every problem. */
  static fromDocument(document: unknown): ProcurementPolicy {
    return new ProcurementPolicy(parsePolicy(document));
  }

  /** The whole document: what the server holds and `review` reads. */
  readonly document: PolicyDocument;

  /** Fails, naming every bad setting, when the document would not validate. */
  constructor(props: ProcurementPolicyProps) {
    this.document = parsePolicy(structuredClone(props));
  }

  get environment(): string {
    return this.document.environment;
  }

  /** undefined when there is no allow-list. */
  get allowedScopes(): readonly string[] | undefined {
    return this.document.allowedScopes ?? undefined;
  }

  get conflictingScopeSets(): readonly (readonly string[])[] {
    return this.document.conflictingScopeSets;
  }

  get timeBoundRisks(): readonly Risk[] {
    return this.document.timeBoundRisks;
  }

  get maxHighRiskGrantDays(): number {
    return this.document.maxHighRiskGrantDays;
  }

  get maxSecretRotationDays(): number {
    return this.document.maxSecretRotationDays;
  }

  /** The severity of a rule under this policy. */
  severityOf(ruleId: string, registered: Severity): RuleSeverity {
    return severityOf(this.document, ruleId, registered);
  }

  /** Whether the allow-list admits `scope` (always true without an allow-list). */
  allows(scope: string): boolean {
    return allows(this.document, scope);
  }
}
