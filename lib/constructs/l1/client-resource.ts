/** Typed L1 of `procurement_client`. The secret is never an attribute: the provider writes it to a secrets dir (a client with `jwks` or `jwksUri` has none). */
import { TerraformProvider, TerraformResource } from '../cdk';
import { Construct } from 'constructs';
import { requireJudge } from './judged';
import { KEYED_LIFECYCLE } from './keyed-lifecycle';
import { GrantType, Jwks, RESOURCE_TYPE, synthesizedAttributes, TERRAFORM_SCHEMA } from '../../model';

export interface ProcurementClientConfig {
  readonly clientId: string;
  readonly displayName: string;
  readonly owner: string;
  readonly external: boolean;
  readonly grantTypes: GrantType[];
  readonly redirectUris: string[];
  readonly tokenLifetimeSeconds: number;
  readonly secretRotationDays: number;
  /** @default false */
  readonly introspection?: boolean;
  /** Public keys (private_key_jwt): the client then has no secret. Synthesized as JWKS JSON text in `jsonencode`'s form (keys sorted). */
  readonly jwks?: Jwks;
  /** Where the client publishes those keys instead (https). */
  readonly jwksUri?: string;
  readonly provider?: TerraformProvider;
}

export class ProcurementClientResource extends TerraformResource {
  static readonly tfResourceType = RESOURCE_TYPE.clients;

  constructor(scope: Construct, id: string, private readonly config: ProcurementClientConfig) {
    super(scope, id, { terraformResourceType: ProcurementClientResource.tfResourceType, provider: config.provider, lifecycle: KEYED_LIFECYCLE });
    requireJudge(this);
  }

  get clientIdRef(): string {
    return this.getStringAttribute('client_id');
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return synthesizedAttributes(TERRAFORM_SCHEMA.clients, { ...this.config });
  }
}
