/**
 * One authorization-server configuration: the environment it serves, how to
 * reach its admin API, and the guardrail policy its scopes, roles, clients and
 * bindings must pass. Every Scope, Role, ProcurementClient and RoleBinding
 * lives under exactly one Authorization, which checks them all together at
 * synth and reports every finding at once.
 */
import { Annotations, Aspects, assertSameCdk, DISABLE_STACK_TRACE_IN_METADATA, TerraformResource, TerraformStack } from './cdk';
import { Construct, IConstruct } from 'constructs';
import { KIND_OF_RESOURCE_TYPE, ModelValidator, toRfc3339 } from '../model';
import { evaluatePolicy, Finding as PolicyFinding, findingText, ObjectRef, PolicyDocument, PolicyException, PolicyModel, PROPS_ID, RULE_IDS, validatePolicy } from '../policy';
import { Finding, Suppression } from './guardrails/finding';
import { ProcurementPolicy } from './guardrails/procurement-policy';
import { ObjectLocations, readStackModel } from './guardrails/stack-model';
import { IResourceJudge, JUDGE_MARK } from './l1/judged';
import { ProcurementPolicyResource } from './l1/policy-resource';
import { ProcurementProvider, ProcurementProviderConfig } from './l1/provider';

const DAY_MS = 86_400_000;
/** Marks Authorizations across copies of this library (aws-cdk's `Symbol.for` pattern): `instanceof` would miss a second copy. */
const AUTHORIZATION_SYMBOL = JUDGE_MARK;

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

/**
 * What a member construct tells its Authorization. The rules judge the
 * resource's synthesized values (what will be deployed, overrides included),
 * so a member only says which resource is its own, or which existing object
 * it references.
 */
export interface AuthorizationEntry {
  /** The resource the member synthesizes: findings about it name the member's path. */
  readonly resource?: TerraformResource;
  /** An object that exists on the server and is referenced by key (fromXxx). */
  readonly reference?: ObjectRef;
}

/** Implemented by every construct that registers with an Authorization. */
export interface IAuthorizationMember extends IConstruct {
  /** Read at synth. */
  authorizationEntry(): AuthorizationEntry;
}

export interface SuppressOptions {
  /**
   * When the suppression ends: after it the finding counts again.
   * @default no end: the suppression lasts until it is removed from the code
   */
  readonly expiresAt?: Date | string;
}

export class Authorization extends Construct implements IResourceJudge {
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
  /** The server's policy as code: this authorization's policy with every suppression as an exception (`policyDocument()`). */
  readonly policyResource: ProcurementPolicyResource;
  readonly clock: () => Date;
  /** One compiled validator per authorization: compiling the schemas per construct would dominate large synths. */
  readonly validator = new ModelValidator();
  private readonly members: IAuthorizationMember[] = [];
  private readonly suppressions: Suppression[] = [];
  /** Problems with this authorization's own configuration (policy, suppressions), reported at synth with the rest. */
  private readonly configurationFindings: Finding[] = [];
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
    this.policyResource = new ProcurementPolicyResource(this, 'Policy', { environment: this.environment, document: () => this.policyDocument(), provider: this.provider });
    if (this.policy.environment !== this.environment) {
      this.configure(
        PROPS_ID,
        this,
        `policy is built for environment '${this.policy.environment}', but this Authorization serves '${this.environment}'; ` +
          `build it for '${this.environment}' (e.g. ProcurementPolicy.recommended('${this.environment}', {...}))`,
      );
    }
    Aspects.of(this).add({ visit: node => node === this && this.annotate() });
  }

  /**
   * Whether this authorization judges `resource`: it uses this authorization's
   * provider, or no provider (the stack's default) while no authorization of
   * the stack has the default, unaliased provider.
   */
  claims(resource: TerraformResource): boolean {
    if (resource.provider !== undefined) return resource.provider === this.provider;
    if (this.provider.alias === undefined) return true;
    return !TerraformStack.of(this).node.findAll().some(c => Authorization.isAuthorization(c) && c.provider.alias === undefined);
  }

  /** Called by members on construction. */
  register(member: IAuthorizationMember): void {
    this.members.push(member);
  }

  /**
   * Accepts the findings of `ruleId` about the objects at `construct` and below
   * it, as policy exceptions (see `policyDocument`). The reason is required and
   * the findings stay visible (as info, in `findings()` and in the review). A
   * suppression that cannot be accepted (too short a reason, an unknown rule, a
   * rule whose violation would fail at apply) is itself a finding.
   */
  suppress(construct: IConstruct, ruleId: string, reason: string, options: SuppressOptions = {}): Suppression {
    const suppression = { path: construct.node.path, ruleId, reason: reason.trim(), expiresAt: toRfc3339(options.expiresAt) };
    // The policy document's own schema judges it, as it will judge the exceptions it becomes.
    const checked = validatePolicy({ environment: this.policy.environment, exceptions: [{ ruleId, object: { kind: 'scopes', key: 'any' }, reason, expiresAt: suppression.expiresAt }] });
    if (checked.ok) this.suppressions.push(suppression);
    for (const problem of checked.ok ? [] : checked.problems) {
      const field = problem.path[problem.path.length - 1];
      this.configure(RULE_IDS.has(ruleId) ? ruleId : PROPS_ID, construct, `suppressing ${ruleId}: ${field === 'reason' ? '' : `${field} `}${problem.message}`);
    }
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

  /**
   * The policy document this authorization enforces: its policy plus every
   * suppression as an exception naming each object it reaches (read from the
   * stack as it is now). This is the data the server and `review` take.
   */
  policyDocument(): PolicyDocument {
    return this.withExceptions(this.readStack().locations);
  }

  /**
   * What the rules judge, read from the stack as it is now: every procurement
   * resource this authorization claims, as model objects (objects referenced
   * with fromXxx, or only partly known at synth, by key only).
   */
  policyModel(): PolicyModel {
    return this.readStack().model;
  }

  /** Every finding: props problems and policy violations, suppressed ones marked. */
  findings(): Finding[] {
    const { model, locations, problems } = this.readStack();
    const findings = evaluatePolicy(model, this.withExceptions(locations), this.clock());
    return [...this.configurationFindings, ...problems, ...findings.map(f => this.located(f, locations))];
  }

  private readStack() {
    const owners = new Map<TerraformResource, string>();
    const references: { object: ObjectRef; path: string }[] = [];
    for (const member of this.members) {
      const entry = member.authorizationEntry();
      if (entry.resource) owners.set(entry.resource, member.node.path);
      if (entry.reference) references.push({ object: entry.reference, path: member.node.path });
    }
    return readStackModel(TerraformStack.of(this), { claims: resource => this.claims(resource), owners, references, validator: this.validator });
  }

  private withExceptions(locations: ObjectLocations): PolicyDocument {
    const policy = this.policy.document;
    const exceptions: PolicyException[] = this.suppressions.flatMap(s =>
      locations.objectsUnder(s.path).map(object => ({ ruleId: s.ruleId, object, reason: s.reason, expiresAt: s.expiresAt })),
    );
    return exceptions.length === 0 ? policy : { ...policy, exceptions: [...policy.exceptions, ...exceptions] };
  }

  /** A policy finding at the construct path of its object (else of a related object, else of this authorization). */
  private located(finding: PolicyFinding, locations: ObjectLocations): Finding {
    const path = [finding.object, ...finding.related].map(o => o && locations.pathOf(o)).find(p => p !== undefined) ?? this.node.path;
    return {
      ruleId: finding.ruleId,
      severity: finding.severity,
      path,
      message: findingText(finding),
      ...(finding.object ? { object: finding.object } : {}),
      ...(finding.exception ? { suppressedBecause: finding.exception.reason } : {}),
    };
  }

  private configure(ruleId: string, construct: IConstruct, message: string): void {
    this.configurationFindings.push({ ruleId, severity: 'error', path: construct.node.path, message });
  }

  /**
   * Every object this authorization claims is written after its policy, so that an exception added with the object
   * it accepts is in force when the server admits the object.
   */
  private dependOnPolicy(): void {
    // A static address: Terraform's depends_on takes no template (`${...}`), which is how cdktf renders `fqn`.
    const policy = `${this.policyResource.terraformResourceType}.${this.policyResource.friendlyUniqueId}`;
    for (const node of TerraformStack.of(this).node.findAll()) {
      if (!(node instanceof TerraformResource) || !KIND_OF_RESOURCE_TYPE[node.terraformResourceType] || !this.claims(node)) continue;
      if (!node.dependsOn?.includes(policy)) node.dependsOn = [...(node.dependsOn ?? []), policy];
    }
  }

  /** Turns findings into cdktf annotations once per synth: errors fail synth, warnings and suppressions show. */
  private annotate(): void {
    if (this.annotated) return;
    this.annotated = true;
    this.dependOnPolicy();
    const byPath = new Map<string, IConstruct>(TerraformStack.of(this).node.findAll().map(c => [c.node.path, c] as const));
    for (const finding of this.findings()) {
      const annotations = Annotations.of(byPath.get(finding.path) ?? this);
      const line = `${finding.ruleId}: ${finding.message}`;
      if (finding.suppressedBecause !== undefined) annotations.addInfo(`${line} (suppressed: ${finding.suppressedBecause})`);
      else if (finding.severity === 'error') annotations.addError(line);
      else annotations.addWarning(line);
    }
  }
}
