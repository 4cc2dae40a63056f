/** Typed L1 of `procurement_scope`: every attribute synthesized explicitly so plans are deterministic. */
import { TerraformProvider, TerraformResource } from '../cdk';
import { Construct } from 'constructs';
import { requireJudge } from './judged';
import { KEYED_LIFECYCLE } from './keyed-lifecycle';
import { Risk } from '../../model';

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
  static readonly tfResourceType = 'procurement_scope';

  constructor(scope: Construct, id: string, private readonly config: ProcurementScopeConfig) {
    super(scope, id, { terraformResourceType: ProcurementScopeResource.tfResourceType, provider: config.provider, lifecycle: KEYED_LIFECYCLE });
    requireJudge(this);
  }

  /** `${procurement_scope.<id>.name}`: naming the scope through this makes Terraform create it first. */
  get nameRef(): string {
    return this.getStringAttribute('name');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return { name: c.name, description: c.description, risk: c.risk, external: c.external, implies: c.implies };
  }
}
