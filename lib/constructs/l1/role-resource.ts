/** Typed L1 of `procurement_role`: the role owns its whole scope set. */
import { TerraformProvider, TerraformResource } from '../cdk';
import { Construct } from 'constructs';
import { requireJudge } from './judged';
import { KEYED_LIFECYCLE } from './keyed-lifecycle';
import { RESOURCE_TYPE, synthesizedAttributes, TERRAFORM_SCHEMA } from '../../model';

export interface ProcurementRoleConfig {
  readonly name: string;
  readonly description: string;
  /** Scope names or references; read at synth, so scopes added later are included. */
  readonly scopes: () => string[];
  readonly provider?: TerraformProvider;
}

export class ProcurementRoleResource extends TerraformResource {
  static readonly tfResourceType = RESOURCE_TYPE.roles;

  constructor(scope: Construct, id: string, private readonly config: ProcurementRoleConfig) {
    super(scope, id, { terraformResourceType: ProcurementRoleResource.tfResourceType, provider: config.provider, lifecycle: KEYED_LIFECYCLE });
    requireJudge(this);
  }

  get nameRef(): string {
    return this.getStringAttribute('name');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return synthesizedAttributes(TERRAFORM_SCHEMA.roles, { ...this.config, scopes: this.config.scopes() });
  }
}
