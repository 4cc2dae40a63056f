/** An OAuth client: one procurement integration (ERP connector, supplier portal, approval bot, ...). */
import { Construct, IConstruct } from 'constructs';
import { Client, GrantType as GrantTypeModel, Jwks, clientAuthentication } from '../model';
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

/**
 * How a client proves who it is at the token endpoint: a secret the server
 * issues (the default), or a signed assertion (private_key_jwt, RFC 7523) with
 * keys the client holds, so that no secret is created or delivered at all.
 */
export class ClientAuthentication {
  /** A secret the server issues on create; the provider hands it to `secrets_command` / `secrets_dir`. */
  static clientSecret(): ClientAuthentication {
    return new ClientAuthentication({});
  }

  /** private_key_jwt with these public keys (a JWKS: public members only; the private keys stay with the client). */
  static privateKeyJwt(jwks: Jwks): ClientAuthentication {
    return new ClientAuthentication({ jwks });
  }

  /** private_key_jwt with the keys the client publishes at this https URL (a public address). */
  static privateKeyJwtFromUri(jwksUri: string): ClientAuthentication {
    return new ClientAuthentication({ jwksUri });
  }

  private constructor(readonly keys: Pick<Client, 'jwks' | 'jwksUri'>) {}

  /** `private_key_jwt` or `client_secret`. */
  get method(): 'private_key_jwt' | 'client_secret' {
    return clientAuthentication(this.keys);
  }
}

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
  /**
   * How the client authenticates: `ClientAuthentication.privateKeyJwt(jwks)` (or `...FromUri(url)`) for a client that
   * signs its token requests with its own key and has no secret at all.
   * @default ClientAuthentication.clientSecret(): a server-issued secret
   */
  readonly authentication?: ClientAuthentication;
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
    const { authentication, ...fields } = props;
    const value = normalizedProps(authorization.validator, 'clients', {
      ...fields,
      ...authentication?.keys,
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

  /** `private_key_jwt` for a client with keys (it has no secret), else `client_secret`. */
  get authenticationMethod(): 'private_key_jwt' | 'client_secret' {
    return clientAuthentication(this.value);
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
