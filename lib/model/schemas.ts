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
  descriptionMaxLength: 500,
  tokenLifetimeSeconds: { min: 60, max: 86_400, default: 3_600 },
  secretRotationDays: { min: 1, max: 365, default: 90 },
  listMaxItems: 1_000,
  subjectsMaxItems: 10_000,
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
  maxLength: 64,
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
  },
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
