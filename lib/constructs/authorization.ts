/**
 * One authorization-server configuration: the environment it serves, how to
 * reach its admin API, and the guardrail policy its scopes, roles, clients and
 * bindings must pass. Every Scope, Role, ProcurementClient and RoleBinding
 * lives under exactly one Authorization, which checks them all together at
 * synth and reports every finding at once.
 */
import { Annotations, Aspects, assertSameCdk, DISABLE_STACK_TRACE_IN_METADATA } from './cdk';
import { Construct, IConstruct } from 'constructs';
import { ModelValidator, Problem } from '../model';
import { applySuppressions, Finding, Suppression } from './guardrails/finding';
import { ProcurementPolicy } from './guardrails/policy';
import { PROPS_ID, RULE_IDS } from './guardrails/registry';
import { Declared, GuardrailModel, KnownClient, KnownRole, KnownScope } from './guardrails/rule';
import { runGuardrails } from './guardrails/run-guardrails';
import { ProcurementProvider, ProcurementProviderConfig } from './l1/provider';
import { RoleBinding as RoleBindingModel } from '../model';

const DAY_MS = 86_400_000;
/** Marks Authorizations across copies of this library (aws-cdk's `Symbol.for` pattern): `instanceof` would miss a second copy. */
const AUTHORIZATION_SYMBOL = Symbol.for('procurement-scopes/Authorization');

export interface AuthorizationProps {
  /** Environment name, e.g. `dev` or `prod`: names the policy and appears in findings. */
  readonly environment: string;
  /**
   * Guardrail policy for this authorization.
   * @default ProcurementPolicy.recommended(environment): strict when the environment starts with `prod`
   */
  readonly policy?: ProcurementPolicy;
  /**
   * How the provider reaches the admin API. The admin token is never part of it:
   * the provider reads PROCUREMENT_ADMIN_TOKEN, so no credential reaches the synthesized JSON.
   * @default the provider reads PROCUREMENT_URL (else http://127.0.0.1:8787) and PROCUREMENT_SECRETS_DIR
   */
  readonly connection?: ProcurementProviderConfig;
  /**
   * The clock time-based guardrails judge expiries against.
   * @default the system clock
   */
  readonly clock?: () => Date;
}

/** What an L2 construct contributes to its authorization's guardrail model. */
export type GuardrailEntry =
  | { readonly kind: 'scopes'; readonly entry: Declared<KnownScope>; readonly problems: readonly Problem[] }
  | { readonly kind: 'roles'; readonly entry: Declared<KnownRole>; readonly problems: readonly Problem[] }
  | { readonly kind: 'clients'; readonly entry: Declared<KnownClient>; readonly problems: readonly Problem[] }
  | { readonly kind: 'roleBindings'; readonly entry: Declared<RoleBindingModel>; readonly problems: readonly Problem[] };

/** Implemented by every construct that registers with an Authorization. */
export interface IAuthorizationMember extends IConstruct {
  /** Read at synth: the member's current model and its props problems. */
  guardrailEntry(): GuardrailEntry;
}

export class Authorization extends Construct {
  /** True when `x` is an Authorization, from this or any other loaded copy of procurement-scopes. */
  static isAuthorization(x: unknown): x is Authorization {
    return x !== null && typeof x === 'object' && AUTHORIZATION_SYMBOL in x;
  }

  /** The Authorization `construct` lives in; throws, naming the path, when there is none. */
  static of(construct: IConstruct): Authorization {
    const found = Authorization.tryOf(construct);
    if (!found) {
      throw new Error(`[${construct.node.path}] must be created inside an Authorization (e.g. new Scope(authorization, 'Id', {...})), found none above it`);
    }
    return found;
  }

  static tryOf(construct: IConstruct): Authorization | undefined {
    return construct.node.scopes.reverse().find(Authorization.isAuthorization);
  }

  readonly environment: string;
  readonly policy: ProcurementPolicy;
  readonly provider: ProcurementProvider;
  readonly clock: () => Date;
  /** One compiled validator per authorization: compiling the schemas per construct would dominate large synths. */
  readonly validator = new ModelValidator();
  private readonly members: IAuthorizationMember[] = [];
  private readonly suppressions: Suppression[] = [];
  private annotated = false;

  constructor(scope: Construct, id: string, props: AuthorizationProps) {
    super(scope, id);
    Object.defineProperty(this, AUTHORIZATION_SYMBOL, { value: true });
    assertSameCdk(this);
    // Findings carry their own path and remedy; a JS stack trace under each would only bury them.
    this.node.setContext(DISABLE_STACK_TRACE_IN_METADATA, true);
    this.environment = props.environment;
    this.policy = props.policy ?? ProcurementPolicy.recommended(props.environment);
    this.clock = props.clock ?? (() => new Date());
    this.provider = new ProcurementProvider(this, 'Provider', props.connection);
    Aspects.of(this).add({ visit: node => node === this && this.annotate() });
  }

  /** Called by members on construction. */
  register(member: IAuthorizationMember): void {
    this.members.push(member);
  }

  /**
   * Accepts the findings of `ruleId` at `construct` and below it. The reason is
   * required and the finding stays visible (as info, and in `findings()`).
   */
  suppress(construct: IConstruct, ruleId: string, reason: string): Suppression {
    if (!RULE_IDS.has(ruleId)) {
      throw new Error(`[${construct.node.path}] cannot suppress unknown rule '${ruleId}' (known: ${[...RULE_IDS].join(', ')})`);
    }
    if (reason.trim().length < 10) {
      throw new Error(`[${construct.node.path}] suppressing ${ruleId} needs a written reason (at least 10 characters), got '${reason}'`);
    }
    const suppression = { path: construct.node.path, ruleId, reason: reason.trim() };
    this.suppressions.push(suppression);
    return suppression;
  }

  /** A day-aligned date `days` from the clock's now (00:00 UTC, so it stays within a `days` window). */
  daysFromNow(days: number): Date {
    const at = this.clock().getTime() + days * DAY_MS;
    return new Date(at - (at % DAY_MS));
  }

  /**
   * An expiry the code renews by itself (example and sandbox stacks): the first
   * 1st or 16th of a month (00:00 UTC) at least `minDays` from the clock's now,
   * so always less than `minDays + 16` days ahead. It moves twice a month, not
   * daily, so plans do not show every time-bound grant renewed every day.
   */
  renewingExpiry(minDays: number): Date {
    const earliest = this.clock().getTime() + minDays * DAY_MS;
    const day = new Date(Math.ceil(earliest / DAY_MS) * DAY_MS);
    while (day.getUTCDate() !== 1 && day.getUTCDate() !== 16) day.setUTCDate(day.getUTCDate() + 1);
    return day;
  }

  /** The plain-data view the guardrails judge, read from the members as they are now. */
  guardrailModel(): { model: GuardrailModel; problems: Finding[] } {
    const model = { path: this.node.path, scopes: [] as Declared<KnownScope>[], roles: [] as Declared<KnownRole>[], clients: [] as Declared<KnownClient>[], roleBindings: [] as Declared<RoleBindingModel>[] };
    const problems: Finding[] = [];
    for (const member of this.members) {
      const contribution = member.guardrailEntry();
      (model[contribution.kind] as Declared<unknown>[]).push(contribution.entry);
      for (const p of contribution.problems) {
        problems.push({ ruleId: PROPS_ID, severity: 'error', path: member.node.path, message: p.field ? `${p.field} ${p.message}` : p.message });
      }
    }
    return { model, problems };
  }

  /** Every finding: props problems and guardrail violations, suppressed ones marked. */
  findings(): Finding[] {
    const { model, problems } = this.guardrailModel();
    return [...problems, ...applySuppressions(runGuardrails(model, this.policy, this.clock()), this.suppressions)];
  }

  /** Turns findings into cdktf annotations once per synth: errors fail synth, warnings and suppressions show. */
  private annotate(): void {
    if (this.annotated) return;
    this.annotated = true;
    const byPath = new Map<string, IConstruct>([[this.node.path, this], ...this.members.map(m => [m.node.path, m] as const)]);
    for (const finding of this.findings()) {
      const annotations = Annotations.of(byPath.get(finding.path) ?? this);
      const line = `${finding.ruleId}: ${finding.message}`;
      if (finding.suppressedBecause !== undefined) annotations.addInfo(`${line} (suppressed: ${finding.suppressedBecause})`);
      else if (finding.severity === 'error') annotations.addError(line);
      else annotations.addWarning(line);
    }
  }
}
