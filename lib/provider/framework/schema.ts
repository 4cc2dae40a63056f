/**
 * How resources and data sources describe their attributes, once: the same
 * description gives the protocol schema Terraform sees, the defaults applied
 * at plan time and the one mapping between Terraform's snake_case attributes
 * and the model's camelCase fields.
 */
import { Message } from '../protocol/messages';

export type AttributeType = 'string' | 'number' | 'bool' | 'set_of_string';

export interface AttributeSpec {
  readonly name: string;
  readonly type: AttributeType;
  /** Shown by `terraform providers schema` and editors: say what it is, the allowed values and the default. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  /** Optional+computed attributes take this value when the configuration leaves them null. */
  readonly default?: unknown;
  /** Changing the value destroys the object and creates a new one (the author-chosen keys). */
  readonly forcesReplacement?: boolean;
  /** The model field, when it is not the camelCase of the name. */
  readonly field?: string;
  /** A string attribute holding the model field (an object) as JSON text, e.g. `jwks = file("jwks.json")`. */
  readonly json?: boolean;
}

/**
 * A set of small objects, e.g. the subjects of a role binding. Terraform sees
 * it as a list nested attribute (`subject = [{ client_id = ... }]`; in JSON
 * the same `"subject": [{...}]` that set blocks take), not as a set: Terraform's
 * value library sorts a set of objects by a hash string it rebuilds for every
 * comparison, each time the set is iterated, which made a no-change plan of 50
 * bindings of 100 subjects cost 14.6 CPU-seconds instead of 4.6, whether the set
 * was a block or a nested attribute. A list attribute also gets the plan
 * renderer's element matching (list blocks are compared index by index). Order
 * still makes no diff: the constructs sort the elements and reads keep the
 * order the state has (see the resource's `keepEquivalent`).
 */
export interface ObjectListSpec {
  readonly name: string;
  readonly description: string;
  /** The objects' attributes: strings only here; the optional ones may be left out of an element. */
  readonly attributes: readonly AttributeSpec[];
  /** The model field holding the list, when it is not the camelCase of the name (e.g. `subject` → `subjects`). */
  readonly field?: string;
}

export interface ObjectSchema {
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
  readonly objectLists?: readonly ObjectListSpec[];
}

/** The `id` every resource and data source has: the object's key, the way Terraform users expect an `id`. */
export const ID_ATTRIBUTE: AttributeSpec = {
  name: 'id',
  type: 'string',
  computed: true,
  description: 'Same as the object\'s key (the author-chosen name or client id); also the import id.',
};

const CTY_TYPES: Record<AttributeType, unknown> = {
  string: 'string',
  number: 'number',
  bool: 'bool',
  set_of_string: ['set', 'string'],
};

export function fieldOf(spec: AttributeSpec | ObjectListSpec): string {
  return spec.field ?? spec.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The protocol's `Schema` message for an object schema. */
export function toProtocolSchema(schema: ObjectSchema, version: number): Message {
  return { version, block: toBlock(schema, version) };
}

/** Descriptions are written in markdown (`code`, lists): editors and doc generators render them so. */
const MARKDOWN = 1; // tfplugin6 StringKind.MARKDOWN

function toBlock(schema: Pick<ObjectSchema, 'attributes' | 'objectLists' | 'description'>, version = 0): Message {
  return {
    version,
    description: schema.description,
    description_kind: MARKDOWN,
    attributes: [
      ...schema.attributes.map(toAttribute),
      ...(schema.objectLists ?? []).map(list => ({
        name: list.name,
        nested_type: { attributes: list.attributes.map(toAttribute), nesting: NESTING_LIST },
        description: list.description,
        description_kind: MARKDOWN,
        required: true,
      })),
    ],
  };
}

/**
 * A list nested attribute (protocol 6 `nested_type`, nesting LIST): the same Terraform type as
 * `list(object({...}))` with optional attributes, so state and plans are unchanged, but described attribute by
 * attribute, which cdktf's provider generator understands (it crashed with "unexpected array" on the optional-
 * attributes form of the object type).
 */
const NESTING_LIST = 2;

function toAttribute(a: AttributeSpec): Message {
  return {
    name: a.name,
    type: ctyType(CTY_TYPES[a.type]),
    description: a.description,
    description_kind: MARKDOWN,
    required: a.required ?? false,
    optional: a.optional ?? false,
    computed: a.computed ?? false,
    sensitive: a.sensitive ?? false,
  };
}

function ctyType(type: unknown): Buffer {
  return Buffer.from(JSON.stringify(type));
}
