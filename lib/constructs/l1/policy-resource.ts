/**
 * Typed L1 of `procurement_policy`: the policy document the server enforces
 * for its environment. Not a model object, so no Authorization judges it
 * (no `requireJudge`); an `Authorization` creates one from its policy and
 * suppressions (`authorization.policyDocument()`).
 *
 * Addressed by the environment (`procurement_policy.prod`; with a provider
 * alias, `procurement_policy.prod_<alias>`), never by construct path: moving
 * the construct must not look like one policy removed and another added, which
 * Terraform could apply in either order and leave the server on its preset.
 */
import { Construct } from 'constructs';
import { TerraformProvider, TerraformResource } from '../cdk';
import { POLICY_RESOURCE_TYPE, POLICY_SCHEMA, synthesizedAttributes } from '../../model';
import { parsePolicy, PolicyDocument, policyJson } from '../../policy';
import { logicalIdOf } from './natural-address';

export interface ProcurementPolicyConfig {
  readonly environment: string;
  /**
   * The policy document: JSON text as the resource takes it, a document, or a function that answers one at synth
   * (an Authorization's suppressions are known only then). A document is validated and written in its one spelling.
   */
  readonly document: string | PolicyDocument | (() => PolicyDocument);
  /** @default the stack's default procurement provider */
  readonly provider?: TerraformProvider & { readonly alias?: string };
}

export class ProcurementPolicyResource extends TerraformResource {
  static readonly tfResourceType = POLICY_RESOURCE_TYPE;

  constructor(scope: Construct, id: string, private readonly config: ProcurementPolicyConfig) {
    super(scope, id, { terraformResourceType: ProcurementPolicyResource.tfResourceType, provider: config.provider });
    const alias = config.provider?.alias;
    this.overrideLogicalId(logicalIdOf(alias ? `${config.environment}_${alias}` : config.environment));
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const { environment, document } = this.config;
    const text = typeof document === 'string' ? document : policyJson(parsePolicy(typeof document === 'function' ? document() : document));
    return synthesizedAttributes(POLICY_SCHEMA, { environment, document: text });
  }
}
