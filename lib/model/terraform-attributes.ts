/**
 * The model as Terraform writes it: resource types per kind, and attribute
 * names that are the model's field names in snake_case (a binding's
 * `subject` list is the model's `subjects`).
 */
import { Kind } from './types';

export const RESOURCE_TYPE: Readonly<Record<Kind, string>> = {
  scopes: 'procurement_scope',
  roles: 'procurement_role',
  clients: 'procurement_client',
  'role-bindings': 'procurement_role_binding',
};

export const KIND_OF_RESOURCE_TYPE: Readonly<Record<string, Kind>> = Object.fromEntries(
  Object.entries(RESOURCE_TYPE).map(([kind, type]) => [type, kind as Kind]),
);

/** The attribute holding each kind's key. */
export const KEY_ATTRIBUTE: Readonly<Record<Kind, string>> = { scopes: 'name', roles: 'name', clients: 'client_id', 'role-bindings': 'name' };

/** Terraform meta-arguments, cdktf's metadata and the computed id: not part of the object. */
const NOT_MODEL = new Set(['provider', 'lifecycle', 'depends_on', 'count', 'for_each', 'provisioner', 'connection', '//', 'id']);

/**
 * Terraform attribute values → model input (unvalidated). Null top-level
 * attributes are left out, so the model's defaults apply; inside a subject a
 * null means "none" and is kept.
 */
export function modelInputOf(attributes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (NOT_MODEL.has(name) || value === null || value === undefined) continue;
    if (name === 'subject') input.subjects = Array.isArray(value) ? value.map(item => camelKeys(item)) : value;
    else if (name === JSON_ATTRIBUTE) input.jwks = jsonAttributeValue(value);
    else input[camelCase(name)] = value;
  }
  return input;
}

/** The one attribute that holds its model field as JSON text: a client's `jwks`. */
const JSON_ATTRIBUTE = 'jwks';

/** A JSON-text attribute's value as the object it holds; anything else as it is, for validation to word the problem. */
export function jsonAttributeValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function camelKeys(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [camelCase(k), v]));
}

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
