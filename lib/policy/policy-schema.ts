/**
 * The policy document's JSON Schema: what a document may say, each field's
 * bounds, and the hint people read when a value is refused.
 */
import { LIMITS } from '../model/schemas';
import { RISKS } from '../model/types';
import { EXCEPTION_RULE_IDS, RULE_IDS } from './registry';

const SCOPE_NAME = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$';
const scopeName = { type: 'string', maxLength: LIMITS.nameMaxLength, pattern: SCOPE_NAME, hint: 'must be a scope name such as catalog.read' };
const scopeNames = { type: 'array', items: scopeName, uniqueItems: true, maxItems: LIMITS.listMaxItems };
const days = (max: number) => ({ type: 'integer', minimum: 1, maximum: max });

export const policySchema = {
  $id: 'procurement-scopes/policy',
  type: 'object',
  additionalProperties: false,
  required: ['environment'],
  properties: {
    environment: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', hint: 'must name the environment, e.g. prod' },
    allowedScopes: {
      type: ['array', 'null'],
      items: {
        type: 'string',
        maxLength: LIMITS.nameMaxLength,
        pattern: `${SCOPE_NAME}|^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*\\.\\*$`,
        hint: 'must be a scope name (catalog.read) or a resource prefix (ticket.*)',
      },
      uniqueItems: true,
      maxItems: LIMITS.listMaxItems,
    },
    conflictingScopeSets: {
      type: 'array',
      maxItems: LIMITS.listMaxItems,
      items: { ...scopeNames, minItems: 2, hint: 'each set needs at least two scopes' },
    },
    timeBoundRisks: { type: 'array', items: { type: 'string', enum: [...RISKS], hint: `must be one of ${RISKS.join(', ')}` }, uniqueItems: true },
    maxHighRiskGrantDays: days(3_650),
    maxSecretRotationDays: days(LIMITS.secretRotationDays.max),
    externalHighRiskScopes: scopeNames,
    severities: {
      type: 'object',
      propertyNames: { enum: [...RULE_IDS], hint: `must name a rule (${[...RULE_IDS].join(', ')})` },
      additionalProperties: { type: 'string', enum: ['error', 'warning', 'off'], hint: 'must be error, warning or off' },
    },
    exceptions: {
      type: 'array',
      maxItems: LIMITS.subjectsMaxItems,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'object', 'reason', 'expiresAt'],
        properties: {
          ruleId: {
            type: 'string',
            enum: [...EXCEPTION_RULE_IDS],
            hint: `must name a rule an exception may accept (${[...EXCEPTION_RULE_IDS].join(', ')}); the others' violations would fail at apply: fix them instead`,
          },
          object: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'key'],
            properties: {
              kind: { type: 'string', enum: ['scopes', 'roles', 'clients', 'role-bindings'], hint: 'must be scopes, roles, clients or role-bindings' },
              key: { type: 'string', minLength: 1, maxLength: LIMITS.nameMaxLength },
            },
          },
          reason: { type: 'string', maxLength: 500 },
          expiresAt: { type: ['string', 'null'], timestamp: true },
        },
      },
    },
  },
} as const;
