/**
 * JSON Schemas of the model: the one source of truth for what a valid scope,
 * role, client and role binding is. The constructs validate props with them,
 * the provider validates plans with them and the server validates admin API
 * bodies with them. `hint` is an annotation used to word error messages in
 * the user's terms; `default` is applied by `normalize`.
 */
import { GRANT_TYPES, Kind, RISKS } from './types';

export const LIMITS = {
  nameMaxLength: 100,
  clientIdMaxLength: 64,
  descriptionMaxLength: 500,
  tokenLifetimeSeconds: { min: 60, max: 86_400, default: 3_600 },
  secretRotationDays: { min: 1, max: 365, default: 90 },
  listMaxItems: 1_000,
  subjectsMaxItems: 10_000,
  /** Keys of a client's JWKS: room for a rotation's overlap (old, current, next) and then some. */
  jwksMaxKeys: 10,
} as const;

const scopeName = {
  type: 'string',
  maxLength: LIMITS.nameMaxLength,
  pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$',
  hint: 'must look like resource.action in lower case, dot separated, with no wildcards (e.g. catalog.read)',
} as const;

const simpleName = {
  type: 'string',
  maxLength: 64,
  pattern: '^[a-z][a-z0-9-]*$',
  hint: 'must be lower case letters, digits and dashes, starting with a letter (e.g. ap-clerk)',
} as const;

const clientId = {
  type: 'string',
  maxLength: LIMITS.clientIdMaxLength,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
  hint: 'must be lower case letters, digits, dots, dashes or underscores (e.g. erp-connector)',
} as const;

const description = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.descriptionMaxLength,
  pattern: '\\S',
  hint: 'is required: say in a sentence what it is for',
} as const;

const nameSet = (items: object) => ({
  type: 'array',
  items,
  uniqueItems: true,
  maxItems: LIMITS.listMaxItems,
  default: [],
});

export const scopeSchema = {
  $id: 'procurement-scopes/scope',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'risk'],
  properties: {
    name: scopeName,
    description,
    risk: { type: 'string', enum: [...RISKS], hint: `must be one of ${RISKS.join(', ')}` },
    external: { type: 'boolean', default: false },
    implies: nameSet(scopeName),
  },
} as const;

export const roleSchema = {
  $id: 'procurement-scopes/role',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'scopes'],
  properties: {
    name: simpleName,
    description,
    scopes: nameSet(scopeName),
  },
} as const;

/** base64url, bounded: an RSA modulus of 8192 bits is 1,366 characters. */
const base64url = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$', hint: 'must be base64url' });

const PRIVATE_HINT =
  'is a private key member: a client publishes its public key only (remove d, p, q, dp, dq, qi, oth and k) and keeps the private key to itself';

/** One public signing key; the `kty` decides which members it needs. Private members are refused by name. */
const publicJwk = {
  type: 'object',
  additionalProperties: false,
  required: ['kty'],
  properties: {
    kty: { type: 'string', enum: ['EC', 'RSA', 'OKP'], hint: 'must be EC, RSA or OKP (a public signing key)' },
    kid: { type: 'string', minLength: 1, maxLength: 200 },
    alg: {
      type: 'string',
      enum: ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'],
      hint: 'must be an asymmetric signing algorithm (ES256, RS256, PS256, EdDSA, ...)',
    },
    use: { type: 'string', const: 'sig', hint: "must be 'sig': the keys sign token requests" },
    crv: { type: 'string', enum: ['P-256', 'P-384', 'P-521', 'Ed25519'], hint: 'must be P-256, P-384, P-521 or Ed25519' },
    x: base64url(200),
    y: base64url(200),
    n: base64url(1_400),
    e: base64url(16),
    ...Object.fromEntries(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'].map(member => [member, { not: {}, hint: PRIVATE_HINT }])),
  },
  allOf: [
    { if: { properties: { kty: { const: 'EC' } } }, then: { required: ['crv', 'x', 'y'] } },
    { if: { properties: { kty: { const: 'RSA' } } }, then: { required: ['n', 'e'] } },
    { if: { properties: { kty: { const: 'OKP' } } }, then: { required: ['crv', 'x'] } },
  ],
} as const;

const REDIRECT_HINT = 'must list at least one https URI when grantTypes holds authorization_code';

export const clientSchema = {
  $id: 'procurement-scopes/client',
  type: 'object',
  additionalProperties: false,
  required: ['clientId', 'displayName', 'owner'],
  properties: {
    clientId,
    displayName: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', hint: 'is required' },
    owner: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', hint: 'must name the owning team' },
    external: { type: 'boolean', default: false },
    grantTypes: {
      type: 'array',
      items: { type: 'string', enum: [...GRANT_TYPES], hint: `must be one of ${GRANT_TYPES.join(', ')}` },
      uniqueItems: true,
      minItems: 1,
      default: ['client_credentials'],
    },
    redirectUris: nameSet({
      type: 'string',
      maxLength: 2_000,
      format: 'uri',
      pattern: '^https://[^\\s#]+$',
      hint: 'must be an absolute https URI without a fragment',
    }),
    tokenLifetimeSeconds: {
      type: 'integer',
      minimum: LIMITS.tokenLifetimeSeconds.min,
      maximum: LIMITS.tokenLifetimeSeconds.max,
      default: LIMITS.tokenLifetimeSeconds.default,
    },
    secretRotationDays: {
      type: 'integer',
      minimum: LIMITS.secretRotationDays.min,
      maximum: LIMITS.secretRotationDays.max,
      default: LIMITS.secretRotationDays.default,
    },
    introspection: { type: 'boolean', default: false },
    jwks: {
      type: 'object',
      additionalProperties: false,
      required: ['keys'],
      properties: { keys: { type: 'array', items: publicJwk, minItems: 1, maxItems: LIMITS.jwksMaxKeys, hint: 'must hold at least one public key' } },
    },
    jwksUri: { type: 'string', maxLength: 2_000, format: 'uri', pattern: '^https://[^\\s#]+$', hint: 'must be an absolute https URL without a fragment' },
  },
  // A client with keys authenticates with them; two sources of keys would leave it unclear which holds.
  not: { required: ['jwks', 'jwksUri'], hint: 'give either jwks or jwksUri, not both' },
  // authorization_code needs somewhere to send the user back to.
  if: { required: ['grantTypes'], properties: { grantTypes: { contains: { const: 'authorization_code' } } } },
  then: {
    required: ['redirectUris'],
    properties: { redirectUris: { minItems: 1, hint: REDIRECT_HINT } },
    hint: REDIRECT_HINT,
  },
} as const;

export const subjectSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clientId'],
  properties: {
    clientId,
    expiresAt: {
      type: ['string', 'null'],
      timestamp: true,
      default: null,
    },
    justification: { type: ['string', 'null'], minLength: 1, maxLength: 500, default: null },
  },
} as const;

export const roleBindingSchema = {
  $id: 'procurement-scopes/role-binding',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'subjects'],
  properties: {
    name: simpleName,
    role: simpleName,
    subjects: { type: 'array', items: subjectSchema, maxItems: LIMITS.subjectsMaxItems },
  },
} as const;

export const SCHEMAS = {
  scopes: scopeSchema,
  roles: roleSchema,
  clients: clientSchema,
  'role-bindings': roleBindingSchema,
} as const satisfies Record<Kind, object>;
