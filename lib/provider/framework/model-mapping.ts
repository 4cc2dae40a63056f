/**
 * Where the provider converts Terraform values (attributes, sets, nulls,
 * unknowns) and model objects (fields, the admin API's shape) into each other,
 * driven by the schema: for the model's kinds, lib/model's attribute table.
 */
import { canonicalJson } from '../../model/canonical-json';
import { jsonAttributeValue, modelAttributes } from '../../model/terraform-attributes';
import { Problem } from '../../model/validate';
import { isKnown, ObjectValue, UNKNOWN, Value } from '../protocol/value-codec';
import { AttributeSpec, ID_ATTRIBUTE, ObjectListSpec, ObjectSchema } from './schema';

export type ModelObject = Record<string, unknown>;

/** An attribute path in Terraform terms: attribute names, and list indexes where Terraform can address them. */
export type TerraformPath = (string | number)[];

export interface ToModelResult {
  object: ModelObject;
  /** Model fields left out because Terraform does not know them yet: problems about them are not problems yet. */
  unknownFields: Set<string>;
}

/** Terraform object → model object. Null attributes are left out (the model fills its defaults). */
export function toModel(schema: ObjectSchema, value: ObjectValue): ToModelResult {
  const object: ModelObject = {};
  const unknownFields = new Set<string>();
  for (const spec of modelAttributes(schema)) {
    const v = value[spec.name];
    if (!isKnown(v)) unknownFields.add(spec.field);
    else if (v !== null && v !== undefined) object[spec.field] = spec.json ? jsonAttributeValue(v) : v;
  }
  for (const list of schema.objectLists ?? []) {
    const v = value[list.name];
    if (!isKnown(v)) unknownFields.add(list.field);
    else object[list.field] = ((v as Value[] | null) ?? []).map(item => listItemToModel(list, item as ObjectValue));
  }
  return { object, unknownFields };
}

function listItemToModel(list: ObjectListSpec, item: ObjectValue): ModelObject {
  // Nested optional fields keep their nulls: the model's subjects say "no expiry" with null.
  return Object.fromEntries(modelAttributes(list).map(spec => [spec.field, item[spec.name] ?? null]));
}

/** Model object → Terraform object listing every attribute (Terraform requires all of them, null included). */
export function fromModel(schema: ObjectSchema, object: ModelObject, key: string): ObjectValue {
  const value: ObjectValue = {};
  for (const spec of schema.attributes) {
    value[spec.name] = spec.name === ID_ATTRIBUTE.name ? key : toTerraform(spec, spec.field === undefined ? undefined : object[spec.field]);
  }
  for (const list of schema.objectLists ?? []) {
    const items = (object[list.field] as ModelObject[] | undefined) ?? [];
    value[list.name] = items.map(item => Object.fromEntries(modelAttributes(list).map(spec => [spec.name, toTerraform(spec, item[spec.field])])));
  }
  return value;
}

/** A Terraform object with only `known` set and every other attribute null (import, empty reads). */
export function nullObject(schema: ObjectSchema, known: ObjectValue = {}): ObjectValue {
  const value: ObjectValue = {};
  for (const spec of schema.attributes) value[spec.name] = known[spec.name] ?? null;
  for (const list of schema.objectLists ?? []) value[list.name] = known[list.name] ?? [];
  return value;
}

/**
 * What Terraform will hold after the change: the proposed value, with the
 * model's default for every optional+computed attribute the configuration
 * leaves null (deciding on the configuration, not on the proposal, so that a
 * default drifted on the server is set back), null for what the apply
 * resolves (`plannedNull`), and `id` following the key.
 */
export function withDefaults(schema: ObjectSchema, proposed: ObjectValue, config: ObjectValue, keyAttribute: string): ObjectValue {
  const planned: ObjectValue = { ...proposed };
  for (const spec of schema.attributes) {
    if (spec.optional && spec.computed && spec.default !== undefined && config[spec.name] === null) {
      planned[spec.name] = structuredClone(spec.default) as Value;
    }
    if (spec.plannedNull) planned[spec.name] = null;
  }
  if (schema.attributes.some(spec => spec.name === ID_ATTRIBUTE.name)) planned.id = isKnown(planned[keyAttribute]) ? planned[keyAttribute] : UNKNOWN;
  return planned;
}

/** A model problem's path (`['subjects', 2, 'expiresAt']`) as a Terraform attribute path (`['subject']`: set elements have no index). */
export function terraformPathOf(schema: ObjectSchema, problem: Pick<Problem, 'path'>): TerraformPath {
  const [field] = problem.path;
  const attribute = modelAttributes(schema).find(spec => spec.field === field);
  if (attribute) return [attribute.name];
  const list = (schema.objectLists ?? []).find(spec => spec.field === field);
  return list ? [list.name] : [];
}

/** The Terraform name of a model field, for messages (`tokenLifetimeSeconds` → `token_lifetime_seconds`). */
export function renderTerraformField(schema: ObjectSchema, problem: Pick<Problem, 'path' | 'field'>): string {
  const path = terraformPathOf(schema, problem);
  if (path.length === 0) return problem.field;
  // Inside an object list, its attributes' names; inside a JSON attribute, the JSON's own member names.
  const list = (schema.objectLists ?? []).find(spec => spec.name === path[0]);
  const nameOf = (segment: string) => list?.attributes.find(spec => spec.field === segment)?.name ?? segment;
  const rest = problem.path.slice(1).map(seg => (typeof seg === 'number' ? `[${seg}]` : `.${nameOf(seg)}`));
  return `${path[0]}${rest.join('')}`;
}

function toTerraform(spec: AttributeSpec, v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (spec.json) return canonicalJson(v);
  if (spec.type === 'set_of_string') return [...(v as string[])].sort();
  return v as Value;
}
