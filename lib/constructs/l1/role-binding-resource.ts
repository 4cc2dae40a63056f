/**
 * Typed L1 of `procurement_role_binding`: one role, a set of `subject` blocks.
 * The binding owns its whole subject set, so grants made through sugar such as
 * `role.grantTo(...)` all land here: one resource per binding, never one per
 * (client, role) pair.
 */
import { TerraformProvider, TerraformResource } from '../cdk';
import { Construct } from 'constructs';
import { requireJudge } from './judged';
import { KEYED_LIFECYCLE } from './keyed-lifecycle';
import { RESOURCE_TYPE, synthesizedAttributes, TERRAFORM_SCHEMA } from '../../model';

export interface ProcurementRoleBindingSubject {
  /** Client id or a reference to one. */
  readonly clientId: string;
  readonly expiresAt: string | null;
  readonly justification: string | null;
}

export interface ProcurementRoleBindingConfig {
  readonly name: string;
  /** Role name or a reference to one. */
  readonly role: string;
  /** Read at synth, so subjects added later are included. */
  readonly subjects: () => ProcurementRoleBindingSubject[];
  readonly provider?: TerraformProvider;
}

export class ProcurementRoleBindingResource extends TerraformResource {
  static readonly tfResourceType = RESOURCE_TYPE['role-bindings'];

  constructor(scope: Construct, id: string, private readonly config: ProcurementRoleBindingConfig) {
    super(scope, id, { terraformResourceType: ProcurementRoleBindingResource.tfResourceType, provider: config.provider, lifecycle: KEYED_LIFECYCLE });
    requireJudge(this);
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return synthesizedAttributes(TERRAFORM_SCHEMA['role-bindings'], { ...this.config, subjects: this.config.subjects() });
  }
}
