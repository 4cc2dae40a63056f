/**
 * The domain model: the one vocabulary shared by the constructs, the provider
 * and the server. Field names here are the admin API's field names; the
 * Terraform attribute of each field is in terraform-attributes.ts.
 */
import type { DownstreamOutOfSync } from './admin-api';
import type { ManagerIndex } from './ownership';

/** How much damage a scope can do in the wrong hands. */
export type Risk = 'low' | 'medium' | 'high' | 'critical';

export const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];

export type GrantType = 'client_credentials' | 'authorization_code' | 'refresh_token';

export const GRANT_TYPES: readonly GrantType[] = ['client_credentials', 'authorization_code', 'refresh_token'];

export interface Scope {
  /** `resource.action`, lower case, e.g. `catalog.read`. */
  name: string;
  description: string;
  risk: Risk;
  /** May be granted to external (supplier, partner) clients. */
  external: boolean;
  /** Narrower scopes this one includes, e.g. `ticket.write` implies `ticket.comment`. A set. */
  implies: string[];
}

export interface Role {
  name: string;
  description: string;
  /** A set of scope names. */
  scopes: string[];
}

export interface Client {
  clientId: string;
  displayName: string;
  /** The team that owns the integration. */
  owner: string;
  /** A supplier or partner integration, outside the company. */
  external: boolean;
  /** A set. */
  grantTypes: GrantType[];
  /** A set of https URIs; required for `authorization_code`. */
  redirectUris: string[];
  tokenLifetimeSeconds: number;
  secretRotationDays: number;
  /**
   * A resource server: may introspect the tokens of every client (RFC 7662). Without it a client
   * introspects only its own tokens. Absent on clients stored before the field existed: false.
   */
  introspection?: boolean;
  /** The public keys the client signs its token requests with (private_key_jwt, RFC 7523): the client has no secret. */
  jwks?: Jwks;
  /** An https URL where the client publishes those keys, instead of `jwks`: the client has no secret. */
  jwksUri?: string;
}

/** A JSON Web Key Set of public keys only (RFC 7517). */
export interface Jwks {
  keys: PublicJwk[];
}

/** A public JWK: EC (P-256/384/521), RSA (2048 bits or more) or OKP (Ed25519); never a private member. */
export interface PublicJwk {
  kty: 'EC' | 'RSA' | 'OKP';
  kid?: string;
  alg?: string;
  use?: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

/** How a client authenticates at the token endpoint: with keys when it declares any, else with a server-issued secret. */
export function clientAuthentication(client: Pick<Client, 'jwks' | 'jwksUri'>): 'private_key_jwt' | 'client_secret' {
  return client.jwks || client.jwksUri ? 'private_key_jwt' : 'client_secret';
}

export interface Subject {
  clientId: string;
  /** RFC 3339 date-time after which the binding grants this client nothing; null = no expiry. */
  expiresAt: string | null;
  /** Change ticket or reason, e.g. `CHG-1234`; null when none is given. */
  justification: string | null;
}

export interface RoleBinding {
  name: string;
  role: string;
  /** A set keyed by clientId: the binding owns its whole subject list. */
  subjects: Subject[];
}

/** Everything one authorization server holds, as the admin API's snapshot answers it. */
export interface Snapshot {
  revision: number;
  scopes: Scope[];
  roles: Role[];
  clients: Client[];
  roleBindings: RoleBinding[];
  /** Which Terraform resource manages each managed object (see ownership.ts); the server always answers it. */
  managers?: ManagerIndex;
  /**
   * With a downstream (`server --downstream`): the clients it does not hold as the model wants now, so that a plan
   * shows them with the same one request (GET /admin/v1/downstream has the rest).
   */
  downstream?: { kind: string; outOfSync: DownstreamOutOfSync[] };
}

/** The four kinds of object, as named in the admin API's paths. */
export type Kind = 'scopes' | 'roles' | 'clients' | 'role-bindings';

export interface KindObject {
  scopes: Scope;
  roles: Role;
  clients: Client;
  'role-bindings': RoleBinding;
}

/** The field that is each kind's key (the author-chosen identifier). */
export const KEY_FIELD = {
  scopes: 'name',
  roles: 'name',
  clients: 'clientId',
  'role-bindings': 'name',
} as const satisfies { [K in Kind]: keyof KindObject[K] };

export function keyOf<K extends Kind>(kind: K, object: KindObject[K]): string {
  return (object as unknown as Record<string, string>)[KEY_FIELD[kind]];
}

/** Singular names for messages: "role 'buyer'". */
export const NOUN: Record<Kind, string> = {
  scopes: 'scope',
  roles: 'role',
  clients: 'client',
  'role-bindings': 'role binding',
};
