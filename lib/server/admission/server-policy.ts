/**
 * The policy this server enforces: the document stored through the admin API,
 * or, until one is, the recommended preset of the server's environment (so a
 * fresh server guards from its first write, with no set-up). Every gate of the
 * server (admission, dry run, token endpoint) reads it from here.
 */
import { AdmissionFinding } from '../../model/admin-api';
import { UsageError } from '../../model/errors';
import { evaluatePolicy, Finding, findingText, modelOf, parsePolicy, PolicyDocument, recommendedPolicy } from '../../policy';
import { PolicyStore } from '../store/store';
import { ModelPart } from './affected-model';

export interface ServerPolicy {
  readonly environment: string;
  /** 0 while the preset applies; bumped by every stored document. Answered as the policy's ETag. */
  readonly version: number;
  /** True while no document was stored and the environment's preset applies. */
  readonly preset: boolean;
  readonly document: PolicyDocument;
  /** The findings of the policy over a part of the model, in the admin API's terms. */
  evaluate(model: ModelPart, now: Date): Omit<AdmissionFinding, 'existing'>[];
}

/** Reads the stored policy, compiling a document once per version. */
export class PolicyHolder {
  private cached: ServerPolicy | null = null;

  /** Records the environment at first start; refuses data that belongs to another environment. */
  static async open(store: PolicyStore, environment: string): Promise<PolicyHolder> {
    await store.initPolicy(environment);
    const recorded = (await store.policyRecord())!.environment;
    if (recorded !== environment) {
      throw new UsageError(
        `this data directory belongs to environment '${recorded}', not '${environment}': start the server with --environment ${recorded}, ` +
          'or give it another data directory',
      );
    }
    return new PolicyHolder();
  }

  /**
   * The policy in force, read from `store`: the transaction's `tx` inside one (the policy a write is
   * admitted against is the one its transaction sees), the store itself outside.
   */
  async current(store: Pick<PolicyStore, 'policyRecord'>): Promise<ServerPolicy> {
    const record = (await store.policyRecord())!;
    if (this.cached?.version !== record.version) {
      const document = record.document === null ? recommendedPolicy(record.environment) : parsePolicy(record.document);
      this.cached = serverPolicy(document, record.version, record.document === null);
    }
    return this.cached;
  }
}

/**
 * A document a plan would put in force before its other changes (the dry run's `policy`): judged as the
 * server would judge once it is stored. Its environment must be the server's.
 */
export function proposedPolicy(document: PolicyDocument, current: ServerPolicy): ServerPolicy {
  return serverPolicy(document, current.version, false);
}

function serverPolicy(document: PolicyDocument, version: number, preset: boolean): ServerPolicy {
  return {
    environment: document.environment,
    version,
    preset,
    document,
    evaluate: (model, now) => evaluatePolicy(modelOf(model), document, now).map(toAdmissionFinding),
  };
}

function toAdmissionFinding(finding: Finding): Omit<AdmissionFinding, 'existing'> {
  return {
    ruleId: finding.ruleId,
    // A finding an exception accepts is shown, never refusing: as a warning naming the exception.
    severity: finding.exception ? 'warning' : finding.severity,
    message: findingText(finding),
    objects: [...(finding.object ? [finding.object] : []), ...finding.related].map(o => ({ kind: o.kind, key: o.key })),
    ...(finding.field && finding.object ? { field: [...finding.field] } : {}),
    ...(finding.exception ? { exception: { reason: finding.exception.reason, expiresAt: finding.exception.expiresAt } } : {}),
  };
}
