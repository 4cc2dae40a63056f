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
import { jsonAttributeValue, KIND_OF_RESOURCE_TYPE, modelAttributes, ObjectSchema, TERRAFORM_SCHEMA } from '../model/terraform-attributes';
import { Client, Kind, KindObject, RISKS, Role, RoleBinding, Scope } from '../model/types';

export function isProcurementResource(type: string): boolean {
  return Object.hasOwn(KIND_OF_RESOURCE_TYPE, type);
}

type Values = Record<string, unknown>;

/**
 * A risk known only at apply reads as the highest, so that the policy judges the grant as the worst it could be
 * (never as harmless); the review shows such a risk as unknown.
 */
const GAP_READS_AS: Readonly<Record<string, string>> = { risk: RISKS[RISKS.length - 1] };

/**
 * Values read by the attribute table, each under its model field. A gap reads
 * as nothing: an empty string or set, false, no optional field (null inside a
 * list element); a number, which has no nothing, as its attribute's default.
 * A list is a set keyed by its required attribute (a subject's client id):
 * elements without it are left out, the rest sorted by it.
 */
function read(schema: Pick<ObjectSchema, 'attributes' | 'objectLists'>, values: Values, inList = false): Values {
  const object: Values = {};
  for (const spec of modelAttributes(schema)) {
    const value = values[spec.name];
    if (spec.type === 'bool') object[spec.field] = value === true;
    else if (spec.type === 'number') object[spec.field] = typeof value === 'number' ? value : spec.default;
    else if (spec.type === 'set_of_string') object[spec.field] = strings(value);
    else if (spec.required) object[spec.field] = (typeof value === 'string' && value) || (GAP_READS_AS[spec.field] ?? '');
    else if (typeof value === 'string') object[spec.field] = spec.json ? jsonAttributeValue(value) : value;
    else if (inList) object[spec.field] = null;
  }
  for (const list of schema.objectLists ?? []) {
    const key = modelAttributes(list).find(spec => spec.required)!;
    const items = Array.isArray(values[list.name]) ? (values[list.name] as unknown[]) : [];
    object[list.field] = items
      .filter((item): item is Values => typeof item === 'object' && item !== null && typeof (item as Values)[key.name] === 'string')
      .map(item => read(list, item, true))
      .sort((a, b) => String(a[key.field]).localeCompare(String(b[key.field])));
  }
  return object;
}

/** The model object a resource's values describe, or null for a type that is not ours. */
export function modelObjectOf(type: string, values: Values): { kind: Kind; object: KindObject[Kind] } | null {
  if (!isProcurementResource(type)) return null;
  const kind = KIND_OF_RESOURCE_TYPE[type];
  return { kind, object: read(TERRAFORM_SCHEMA[kind], values) as unknown as KindObject[Kind] };
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

/** A set of strings; unknown elements (null) are left out and the rest sorted, since order carries no meaning. */
function strings(value: unknown): string[] {
  return Array.isArray(value) ? [...new Set(value.filter((x): x is string => typeof x === 'string'))].sort() : [];
}
