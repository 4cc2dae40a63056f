/** An OAuth client: one procurement integration (ERP connector, supplier portal, approval bot, ...). */
import { Construct, IConstruct } from 'constructs';
import { Client, GrantType as GrantTypeModel } from '../model';
import { Authorization, AuthorizationEntry, IAuthorizationMember } from './authorization';
import { ImportedObject } from './imported';
import { ProcurementClientResource } from './l1/client-resource';
import { addressByKey } from './l1/natural-address';
import { normalizedProps } from './props-check';

/** OAuth grant types a client may use. */
export const GrantType = {
  CLIENT_CREDENTIALS: 'client_credentials',
  AUTHORIZATION_CODE: 'authorization_code',
  REFRESH_TOKEN: 'refresh_token',
} as const satisfies Record<string, GrantTypeModel>;
export type GrantType = GrantTypeModel;

/** A client this code owns (ProcurementClient) or references (ProcurementClient.fromClientId). */
export interface IProcurementClient extends IConstruct {
  /** The literal client id, e.g. `erp-connector`. */
  readonly clientId: string;
  /** A Terraform reference for owned clients, the id otherwise. */
  readonly clientIdRef: string;
}

export interface ProcurementClientProps {
  /** The client id: lower case letters, digits, dots, dashes, underscores. Changing it replaces the client. */
  readonly clientId: string;
  /** What people see for the client, e.g. `ERP connector`. */
  readonly displayName: string;
  /** The team that owns the integration and answers for it. */
  readonly owner: string;
  /**
   * A supplier or partner integration outside the company: may only hold external scopes.
   * @default false
   */
  readonly external?: boolean;
  /**
   * OAuth grant types the client may use (a set).
   * @default [GrantType.CLIENT_CREDENTIALS]
   */
  readonly grantTypes?: readonly GrantType[];
  /**
   * https redirect URIs; required when grantTypes holds authorization_code.
   * @default none
   */
  readonly redirectUris?: readonly string[];
  /**
   * Lifetime of the access tokens the client receives, in seconds (60 to 86400).
   * @default 3600
   */
  readonly tokenLifetimeSeconds?: number;
  /**
   * Days after which the client's secret must be rotated; the policy sets a maximum.
   * @default 90
   */
  readonly secretRotationDays?: number;
  /**
   * A resource server: may introspect the access tokens of every client and read their scopes (RFC 7662).
   * @default false - the client introspects only its own tokens
   */
  readonly introspection?: boolean;
}

export class ProcurementClient extends Construct implements IProcurementClient, IAuthorizationMember {
  /** References a client that exists on the server but is not owned by this code. */
  static fromClientId(scope: Construct, id: string, clientId: string): IProcurementClient {
    return new ImportedClient(scope, id, clientId);
  }

  readonly clientId: string;
  readonly clientIdRef: string;
  readonly resource: ProcurementClientResource;
  private readonly value: Client;

  constructor(scope: Construct, id: string, props: ProcurementClientProps) {
    super(scope, id);
    const authorization = Authorization.of(this);
    const value = normalizedProps(authorization.validator, 'clients', {
      ...props,
      grantTypes: props.grantTypes && [...props.grantTypes],
      redirectUris: props.redirectUris && [...props.redirectUris],
    } as Client);
    this.value = value;
    this.clientId = props.clientId;
    this.resource = new ProcurementClientResource(this, 'Resource', { ...value, provider: authorization.provider });
    addressByKey(this.resource, value.clientId);
    this.clientIdRef = this.resource.clientIdRef;
    authorization.register(this);
  }

  /** Whether this is a supplier or partner integration. */
  get external(): boolean {
    return this.value.external === true;
  }

  authorizationEntry(): AuthorizationEntry {
    return { resource: this.resource };
  }
}

class ImportedClient extends ImportedObject implements IProcurementClient {
  readonly clientId = this.key;
  readonly clientIdRef = this.key;

  constructor(scope: Construct, id: string, clientId: string) {
    super(scope, id, 'clients', clientId);
  }
}
