/**
 * Terraform resource values (snake_case attributes of the `procurement_*`
 * types, as in a plan, a state or a synthesized cdk.tf.json) turned back into
 * model objects. Shared by `review` (plan values) and `verify` (synthesized
 * configuration), so both read the resources the same way.
 *
 * Values may be partial: an attribute known only after apply is absent or
 * null, and an unknown element of a set is null. Such gaps read as "nothing"
 * here; callers that care (the review) report the unknown paths separately.
 */
import { LIMITS } from '../model/schemas';
import { jsonAttributeValue } from '../model/terraform-attributes';
import { Client, GrantType, Jwks, Kind, KindObject, Risk, Role, RoleBinding, Scope, Subject } from '../model/types';

export const RESOURCE_KIND: Readonly<Record<string, Kind>> = {
  procurement_scope: 'scopes',
  procurement_role: 'roles',
  procurement_client: 'clients',
  procurement_role_binding: 'role-bindings',
};

export function isProcurementResource(type: string): boolean {
  return type in RESOURCE_KIND;
}

type Values = Record<string, unknown>;

const MODEL_OF: { [K in Kind]: (v: Values) => KindObject[K] } = {
  scopes: (v): Scope => ({
    name: str(v.name),
    description: str(v.description),
    risk: (str(v.risk) || 'low') as Risk,
    external: v.external === true,
    implies: strings(v.implies),
  }),
  roles: (v): Role => ({ name: str(v.name), description: str(v.description), scopes: strings(v.scopes) }),
  clients: (v): Client => ({
    clientId: str(v.client_id),
    displayName: str(v.display_name),
    owner: str(v.owner),
    external: v.external === true,
    grantTypes: strings(v.grant_types) as GrantType[],
    redirectUris: strings(v.redirect_uris),
    tokenLifetimeSeconds: num(v.token_lifetime_seconds) ?? LIMITS.tokenLifetimeSeconds.default,
    secretRotationDays: num(v.secret_rotation_days) ?? LIMITS.secretRotationDays.default,
    introspection: v.introspection === true,
    ...(typeof v.jwks === 'string' ? { jwks: jsonAttributeValue(v.jwks) as Jwks } : {}),
    ...(typeof v.jwks_uri === 'string' ? { jwksUri: v.jwks_uri } : {}),
  }),
  'role-bindings': (v): RoleBinding => ({
    name: str(v.name),
    role: str(v.role),
    subjects: (Array.isArray(v.subject) ? v.subject : [])
      .filter((s): s is Values => typeof s === 'object' && s !== null && typeof (s as Values).client_id === 'string')
      .map((s): Subject => ({ clientId: str(s.client_id), expiresAt: strOrNull(s.expires_at), justification: strOrNull(s.justification) }))
      .sort((a, b) => a.clientId.localeCompare(b.clientId)),
  }),
};

/** The model object a resource's values describe, or null for a type that is not ours. */
export function modelObjectOf(type: string, values: Values): { kind: Kind; object: KindObject[Kind] } | null {
  const kind = RESOURCE_KIND[type];
  if (!kind) return null;
  return { kind, object: MODEL_OF[kind](values) };
}

/** The four kinds of objects, each a list, as lib/model's functions take them. */
export interface Model {
  scopes: Scope[];
  roles: Role[];
  clients: Client[];
  roleBindings: RoleBinding[];
}

/** Builds a model from resources (type + values); resources of other types are ignored. */
export function modelOf(resources: Iterable<{ type: string; values: Values }>): Model {
  const model: Model = { scopes: [], roles: [], clients: [], roleBindings: [] };
  for (const r of resources) {
    const found = modelObjectOf(r.type, r.values);
    if (!found) continue;
    if (found.kind === 'scopes') model.scopes.push(found.object as Scope);
    else if (found.kind === 'roles') model.roles.push(found.object as Role);
    else if (found.kind === 'clients') model.clients.push(found.object as Client);
    else model.roleBindings.push(found.object as RoleBinding);
  }
  return model;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** A set of strings; unknown elements (null) are left out and the rest sorted, since order carries no meaning. */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? [...new Set(value.filter((x): x is string => typeof x === 'string'))].sort() : [];
}
