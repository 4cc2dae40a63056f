/** Typed L1 of `procurement_scope`: every attribute synthesized explicitly so plans are deterministic. */
import { TerraformProvider, TerraformResource } from '../cdk';
import { Construct } from 'constructs';
import { requireJudge } from './judged';
import { KEYED_LIFECYCLE } from './keyed-lifecycle';
import { RESOURCE_TYPE, Risk, synthesizedAttributes, TERRAFORM_SCHEMA } from '../../model';

export interface ProcurementScopeConfig {
  readonly name: string;
  readonly description: string;
  readonly risk: Risk;
  readonly external: boolean;
  /** Scope names or references to them. */
  readonly implies: string[];
  readonly provider?: TerraformProvider;
}

export class ProcurementScopeResource extends TerraformResource {
  static readonly tfResourceType = RESOURCE_TYPE.scopes;

  constructor(scope: Construct, id: string, private readonly config: ProcurementScopeConfig) {
    super(scope, id, { terraformResourceType: ProcurementScopeResource.tfResourceType, provider: config.provider, lifecycle: KEYED_LIFECYCLE });
    requireJudge(this);
  }

  /** `${procurement_scope.<id>.name}`: naming the scope through this makes Terraform create it first. */
  get nameRef(): string {
    return this.getStringAttribute('name');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return synthesizedAttributes(TERRAFORM_SCHEMA.scopes, { ...this.config });
  }
}
