/**
 * The protocol schema Terraform sees, from the attributes the resources and
 * data sources describe: for the model's kinds, lib/model's attribute table,
 * which also gives the defaults applied at plan time and the mapping between
 * Terraform's attributes and the model's fields (model-mapping.ts).
 */
import type { AttributeSpec, AttributeType, ObjectSchema } from '../../model/terraform-attributes';
import { Message } from '../protocol/messages';

export type { AttributeSpec, AttributeType, ObjectListSpec, ObjectSchema } from '../../model/terraform-attributes';

/** The `id` every resource and data source has: the object's key, the way Terraform users expect an `id`. */
export const ID_ATTRIBUTE: AttributeSpec = {
  name: 'id',
  type: 'string',
  computed: true,
  description: 'Same as the object\'s key (the author-chosen name or client id); also the import id.',
};

/** A kind's schema from the attribute table, as its resource serves it: with the `id`, last. */
export function withId(schema: ObjectSchema): ObjectSchema {
  return { ...schema, attributes: [...schema.attributes, ID_ATTRIBUTE] };
}

const CTY_TYPES: Record<AttributeType, unknown> = {
  string: 'string',
  number: 'number',
  bool: 'bool',
  set_of_string: ['set', 'string'],
};

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
 * An object list (e.g. a binding's subjects) is a list nested attribute
 * (`subject = [{ client_id = ... }]`; in JSON the same `"subject": [{...}]`
 * that set blocks take), not a set: Terraform's value library sorts a set of
 * objects by a hash string it rebuilds for every comparison, each time the set
 * is iterated, which made a no-change plan of 50 bindings of 100 subjects cost
 * 14.6 CPU-seconds instead of 4.6, whether the set was a block or a nested
 * attribute. A list attribute also gets the plan renderer's element matching
 * (list blocks are compared index by index). Order still makes no diff: the
 * constructs sort the elements and reads keep the order the state has (see the
 * resource's `keepEquivalent`).
 *
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
