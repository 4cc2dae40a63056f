/**
 * The model as Terraform writes it, once: each kind's resource type and, for
 * each model field, the Terraform attribute that holds it (name, type,
 * required/optional/computed, default, description), the way
 * terraform-plugin-framework's `tfsdk` struct tags give a Go field its
 * Terraform name once. Written by model field and type-checked against the
 * model's types, so a field without an attribute does not compile.
 *
 * Everything else derives from this table: the provider's schema (and so the
 * generated docs/), its mapping of plans and state to model objects and back,
 * the L1 constructs' synthesized attributes, the guardrails' reading of a
 * synthesized stack and the review's reading of a plan.
 */
import { canonicalJson } from './canonical-json';
import { LIMITS } from './schemas';
import { Client, GRANT_TYPES, Kind, KEY_FIELD, RISKS, Role, RoleBinding, Scope } from './types';

export type AttributeType = 'string' | 'number' | 'bool' | 'set_of_string';

export interface AttributeSpec {
  readonly name: string;
  /** The model field the attribute holds; none for attributes that are no model field (`id`, a data source's results). */
  readonly field?: string;
  readonly type: AttributeType;
  /** Shown by `terraform providers schema`, editors and docs/: say what it is, the allowed values and the default. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  /** Optional+computed attributes take this value when the configuration leaves them null. */
  readonly default?: unknown;
  /** Changing the value destroys the object and creates a new one (the author-chosen keys). */
  readonly forcesReplacement?: boolean;
  /** A string attribute holding the model field (an object) as JSON text, e.g. `jwks = file("jwks.json")`. */
  readonly json?: boolean;
  /**
   * A computed report of something the apply resolves (a client's `downstream_drift`): always planned null, so that
   * a value a refresh read shows as an in-place update.
   */
  readonly plannedNull?: boolean;
}

/**
 * A set of small objects, e.g. the subjects of a role binding: a list nested
 * attribute in the provider's schema (lib/provider/framework/schema.ts says why
 * a list and not a set).
 */
export interface ObjectListSpec {
  readonly name: string;
  /** The model field holding the list (a binding's `subject` list is its `subjects`). */
  readonly field: string;
  readonly description: string;
  /** The objects' attributes: strings only here; the optional ones may be left out of an element. */
  readonly attributes: readonly AttributeSpec[];
}

export interface ObjectSchema {
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
  readonly objectLists?: readonly ObjectListSpec[];
}

/** A model field's attribute: the field is the key it is written under. */
type AttributeTag = Omit<AttributeSpec, 'field'>;

interface ObjectListTag<E> {
  readonly name: string;
  readonly description: string;
  readonly list: Tags<E>;
}

/** One tag for every field of `T`: a list of objects becomes an object list, any other field an attribute. */
type Tags<T> = {
  readonly [F in keyof T]-?: NonNullable<T[F]> extends readonly (infer E)[] ? (E extends object ? ObjectListTag<E> : AttributeTag) : AttributeTag;
};

function objectSchema<T>(description: string, tags: Tags<T>): ObjectSchema {
  const attributes: AttributeSpec[] = [];
  const objectLists: ObjectListSpec[] = [];
  for (const [field, tag] of Object.entries(tags) as [string, AttributeTag | ObjectListTag<unknown>][]) {
    if ('list' in tag) objectLists.push({ name: tag.name, field, description: tag.description, attributes: objectSchema('', tag.list).attributes });
    else attributes.push({ ...tag, field });
  }
  return objectLists.length > 0 ? { description, attributes, objectLists } : { description, attributes };
}

const { tokenLifetimeSeconds: lifetime, secretRotationDays: rotation } = LIMITS;

const SCOPE = objectSchema<Scope>('An OAuth scope of the authorization server, named `resource.action` (e.g. `catalog.read`).', {
  name: {
    name: 'name',
    type: 'string',
    required: true,
    forcesReplacement: true,
    description: `The scope's name, \`resource.action\` in lower case (e.g. \`payment.approve\`, at most ${LIMITS.nameMaxLength} characters). Changing it replaces the scope.`,
  },
  description: { name: 'description', type: 'string', required: true, description: 'What the scope allows, in a sentence.' },
  risk: { name: 'risk', type: 'string', required: true, description: `How much damage the scope can do in the wrong hands: one of ${RISKS.join(', ')}.` },
  external: {
    name: 'external',
    type: 'bool',
    optional: true,
    computed: true,
    default: false,
    description: 'Whether external (supplier, partner) clients may hold this scope. Default: false.',
  },
  implies: {
    name: 'implies',
    type: 'set_of_string',
    optional: true,
    computed: true,
    default: [],
    description: 'Narrower scopes this scope includes (e.g. `ticket.write` implies `ticket.comment`). A set. Default: none.',
  },
});

const ROLE = objectSchema<Role>('A role: a named set of scopes that role bindings grant to clients.', {
  name: {
    name: 'name',
    type: 'string',
    required: true,
    forcesReplacement: true,
    description: "The role's name: lower case letters, digits and dashes (e.g. `ap-clerk`). Changing it replaces the role.",
  },
  description: { name: 'description', type: 'string', required: true, description: 'Who the role is for, in a sentence.' },
  scopes: {
    name: 'scopes',
    type: 'set_of_string',
    required: true,
    description: 'The scopes the role grants (names of existing scopes). A set: this role owns the whole list.',
  },
});

const CLIENT = objectSchema<Client>(
  "An OAuth client of the authorization server. Its secret never enters state: on create it is handed to the provider's `secrets_command` " +
    'and/or written to its `secrets_dir`; `procurement-scopes rotate-secret <client_id>` issues a new one. A client declared with `jwks` or ' +
    '`jwks_uri` authenticates with `private_key_jwt` instead and has no secret at all.',
  {
    clientId: {
      name: 'client_id',
      type: 'string',
      required: true,
      forcesReplacement: true,
      description: 'The client id: lower case letters, digits, dots, dashes or underscores (e.g. `erp-connector`). Changing it replaces the client.',
    },
    displayName: { name: 'display_name', type: 'string', required: true, description: 'A name people recognize (e.g. `ERP connector`).' },
    owner: { name: 'owner', type: 'string', required: true, description: 'The team that owns the integration.' },
    external: {
      name: 'external',
      type: 'bool',
      optional: true,
      computed: true,
      default: false,
      description: 'A supplier or partner integration, outside the company: it may only hold scopes marked external. Default: false.',
    },
    grantTypes: {
      name: 'grant_types',
      type: 'set_of_string',
      optional: true,
      computed: true,
      default: ['client_credentials'],
      description: `OAuth grant types the client may use: any of ${GRANT_TYPES.join(', ')}. A set. Default: ["client_credentials"].`,
    },
    redirectUris: {
      name: 'redirect_uris',
      type: 'set_of_string',
      optional: true,
      computed: true,
      default: [],
      description: 'Absolute https URIs to send users back to; at least one is required with authorization_code. A set. Default: none.',
    },
    tokenLifetimeSeconds: {
      name: 'token_lifetime_seconds',
      type: 'number',
      optional: true,
      computed: true,
      default: lifetime.default,
      description: `Lifetime of the client's access tokens, ${lifetime.min} to ${lifetime.max} seconds. Default: ${lifetime.default}.`,
    },
    secretRotationDays: {
      name: 'secret_rotation_days',
      type: 'number',
      optional: true,
      computed: true,
      default: rotation.default,
      description: `How often the client's secret must be rotated, ${rotation.min} to ${rotation.max} days. Default: ${rotation.default}.`,
    },
    introspection: {
      name: 'introspection',
      type: 'bool',
      optional: true,
      computed: true,
      default: false,
      description:
        'A resource server: may introspect the access tokens of every client (RFC 7662) and read their scopes. ' +
        'Without it a client introspects only its own tokens; any other token answers inactive. Default: false.',
    },
    jwks: {
      name: 'jwks',
      type: 'string',
      optional: true,
      json: true,
      description:
        'The public keys the client signs its token requests with (`private_key_jwt`, RFC 7523), as JWKS JSON text, e.g. `file("erp-jwks.json")` or ' +
        '`jsonencode({ keys = [...] })`. A client with keys has no secret: none is created, delivered or rotated. Public members only ' +
        `(kty, crv, x, y, n, e, kid, alg, use); at most ${LIMITS.jwksMaxKeys} keys. Conflicts with \`jwks_uri\`. Default: none (a server-issued secret).`,
    },
    jwksUri: {
      name: 'jwks_uri',
      type: 'string',
      optional: true,
      description:
        'An https URL where the client publishes those keys instead of `jwks`; it must resolve to a public address (the server never fetches from ' +
        'loopback or private ones). A client with keys has no secret. Conflicts with `jwks`. Default: none.',
    },
  },
);

const ROLE_BINDING = objectSchema<RoleBinding>('Grants one role to a set of clients (the `subject` list). The binding owns its whole subject set.', {
  name: {
    name: 'name',
    type: 'string',
    required: true,
    forcesReplacement: true,
    description: "The binding's name: lower case letters, digits and dashes (e.g. `buyers`). Changing it replaces the binding.",
  },
  role: { name: 'role', type: 'string', required: true, description: 'The name of the role granted.' },
  subjects: {
    name: 'subject',
    description:
      'The clients the role is granted to, each at most once. Order carries no meaning: the provider keeps the order the state has, ' +
      'so only a reordered configuration shows a diff (one in-place update that changes nothing on the server).',
    list: {
      clientId: { name: 'client_id', type: 'string', required: true, description: 'The client id.' },
      expiresAt: {
        name: 'expires_at',
        type: 'string',
        optional: true,
        description: 'RFC 3339 date-time after which this client no longer holds the role (e.g. `2027-01-31T00:00:00Z`). Default: no expiry.',
      },
      justification: { name: 'justification', type: 'string', optional: true, description: 'Change ticket or reason (e.g. `CHG-1234`). Default: none.' },
    },
  },
});

/** Each kind's attributes (without the computed `id` every resource adds, see lib/provider/framework/schema.ts). */
export const TERRAFORM_SCHEMA: Readonly<Record<Kind, ObjectSchema>> = { scopes: SCOPE, roles: ROLE, clients: CLIENT, 'role-bindings': ROLE_BINDING };

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
export const KEY_ATTRIBUTE = Object.fromEntries(
  (Object.keys(TERRAFORM_SCHEMA) as Kind[]).map(kind => [kind, TERRAFORM_SCHEMA[kind].attributes.find(a => a.field === KEY_FIELD[kind])!.name]),
) as Readonly<Record<Kind, string>>;

/**
 * `procurement_policy`, the policy document a server enforces: not a model
 * object (no kind, no model type), but a resource of the same provider, whose
 * attributes are named here with the others'.
 */
export const POLICY_RESOURCE_TYPE = 'procurement_policy';

export const POLICY_SCHEMA: ObjectSchema = {
  description:
    'The policy the authorization server enforces for its environment: allow-list, conflicting scope sets, time windows, ' +
    'rotation, severities and exceptions. One per server. Changing it needs an admin token; destroying it puts the ' +
    "environment's recommended preset back.",
  attributes: [
    {
      name: 'environment',
      field: 'environment',
      type: 'string',
      required: true,
      forcesReplacement: true,
      description: "The environment the server guards (its `--environment`, e.g. `prod`); the document's `environment` must be the same. Also the import id.",
    },
    {
      name: 'document',
      field: 'document',
      type: 'string',
      required: true,
      description:
        'The policy document as JSON (e.g. `jsonencode({ environment = "prod", maxHighRiskGrantDays = 14 })`): fields left out take the ' +
        "environment's recommended preset. Every exception needs `ruleId`, `object` (`kind`, `key`), a `reason` of at least 10 " +
        'characters and `expiresAt` (RFC 3339, or null). Key order, whitespace and preset fields spelled out make no difference.',
    },
    { name: 'id', type: 'string', computed: true, description: 'Same as `environment`.' },
  ],
};

/** The schema's attributes that hold a model field (all but `id`). */
export function modelAttributes(schema: Pick<ObjectSchema, 'attributes'>): (AttributeSpec & { readonly field: string })[] {
  return schema.attributes.filter((spec): spec is AttributeSpec & { field: string } => spec.field !== undefined);
}

/**
 * A model object, or an L1's configuration with its tokens, as the
 * resource's synthesized attributes: each field under its attribute's name, a
 * JSON field as its canonical text (`jsonencode`'s form), and a field left
 * undefined as the attribute's default, so that every attribute with a
 * default is synthesized explicitly and plans are deterministic.
 */
export function synthesizedAttributes(
  schema: Pick<ObjectSchema, 'attributes' | 'objectLists'>,
  object: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const spec of modelAttributes(schema)) {
    const value = object[spec.field] === undefined ? structuredClone(spec.default) : object[spec.field];
    attributes[spec.name] = spec.json && value !== undefined && value !== null ? canonicalJson(value) : value;
  }
  for (const list of schema.objectLists ?? []) {
    attributes[list.name] = (object[list.field] as Record<string, unknown>[]).map(item => synthesizedAttributes(list, item));
  }
  return attributes;
}

/** Terraform meta-arguments, cdktf's metadata and the computed id: not part of the object. */
const NOT_MODEL = new Set(['provider', 'lifecycle', 'depends_on', 'count', 'for_each', 'provisioner', 'connection', '//', 'id']);

/**
 * A resource's synthesized attribute values → model input (unvalidated), for
 * the validator to judge: each attribute under its field, a JSON attribute
 * parsed. Null top-level attributes are left out, so the model's defaults
 * apply; inside a list item a null means "none" and is kept. A name that is
 * no attribute (an escape-hatch override) stays as written, for the validator
 * to name.
 */
export function modelInputOf(schema: ObjectSchema, attributes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (NOT_MODEL.has(name) || value === null || value === undefined) continue;
    const list = schema.objectLists?.find(l => l.name === name);
    if (list) input[list.field] = Array.isArray(value) ? value.map(item => itemInput(list, item)) : value;
    else assignInput(input, schema.attributes, name, value);
  }
  return input;
}

function itemInput(list: ObjectListSpec, item: unknown): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) assignInput(input, list.attributes, name, value);
  return input;
}

function assignInput(input: Record<string, unknown>, specs: readonly AttributeSpec[], name: string, value: unknown): void {
  const spec = specs.find(s => s.name === name);
  input[spec?.field ?? name] = spec?.json ? jsonAttributeValue(value) : value;
}

/** A JSON-text attribute's value as the object it holds; anything else as it is, for validation to word the problem. */
export function jsonAttributeValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
