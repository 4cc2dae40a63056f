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
}

/** A nested block, e.g. the `subject` blocks of a role binding (always a set here: order never makes a diff). */
export interface BlockSpec {
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
  /** The model field holding the list, when it is not the camelCase of the name (e.g. `subject` → `subjects`). */
  readonly field?: string;
}

export interface ObjectSchema {
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
  readonly blocks?: readonly BlockSpec[];
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

export function fieldOf(spec: AttributeSpec | BlockSpec): string {
  return spec.field ?? spec.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The protocol's `Schema` message for an object schema. */
export function toProtocolSchema(schema: ObjectSchema, version: number): Message {
  return { version, block: toBlock(schema, version) };
}

function toBlock(schema: Pick<ObjectSchema, 'attributes' | 'blocks'> & { description?: string }, version = 0): Message {
  return {
    version,
    description: schema.description ?? '',
    attributes: schema.attributes.map(a => ({
      name: a.name,
      type: Buffer.from(JSON.stringify(CTY_TYPES[a.type])),
      description: a.description,
      required: a.required ?? false,
      optional: a.optional ?? false,
      computed: a.computed ?? false,
      sensitive: a.sensitive ?? false,
    })),
    block_types: (schema.blocks ?? []).map(b => ({
      type_name: b.name,
      nesting: 3, // SET
      block: toBlock(b),
    })),
  };
}
