/**
 * The policy document's JSON Schema and its validation. Fields left out take
 * the recommended preset of the document's environment, so a document says
 * only where it differs from the recommendation; the answer is always whole.
 */
import { ValidateFunction } from 'ajv';
import { LIMITS } from '../model/schemas';
import { RISKS } from '../model/types';
import { createAjv } from '../model/ajv-setup';
import { Problem, problemsOf, renderPath, ValidationResult } from '../model/validate';
import { MIN_EXCEPTION_REASON, PolicyDocument } from './policy-document';
import { recommendedPolicy } from './presets';
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

let compiled: ValidateFunction | undefined;

/** Validates a (partial) policy document; on success answers it whole, the environment's preset filling what is left out. */
export function validatePolicy(input: unknown): ValidationResult<PolicyDocument> {
  compiled ??= createAjv().compile(policySchema);
  const value = input !== null && typeof input === 'object' ? structuredClone(input) : input;
  const problems = compiled(value) ? shortReasons(value as PolicyDocument) : problemsOf(compiled.errors);
  if (problems.length > 0) return { ok: false, problems };
  const document = value as PolicyDocument;
  return { ok: true, value: recommendedPolicy(document.environment, { ...document, exceptions: document.exceptions?.map(e => ({ ...e, reason: e.reason.trim() })) }) };
}

/** Thrown for a policy document that does not validate; the message lists every problem. */
export class PolicyError extends Error {
  constructor(readonly problems: readonly Problem[], environment: unknown) {
    super(`invalid policy${typeof environment === 'string' ? ` for '${environment}'` : ''}:\n  ${problems.map(p => (p.field ? `${p.field}: ${p.message}` : p.message)).join('\n  ')}`);
  }
}

/** validatePolicy, throwing a PolicyError that names every problem. */
export function parsePolicy(input: unknown): PolicyDocument {
  const result = validatePolicy(input);
  if (!result.ok) throw new PolicyError(result.problems, (input as { environment?: unknown } | null)?.environment);
  return result.value;
}

/** A reason is read by people: blanks around it do not count towards its length. */
function shortReasons(document: PolicyDocument): Problem[] {
  return (document.exceptions ?? []).flatMap((e, i) => {
    if (e.reason.trim().length >= MIN_EXCEPTION_REASON) return [];
    const path = ['exceptions', i, 'reason'];
    return [{ path, field: renderPath(path), message: exceptionReasonProblem(e.reason) }];
  });
}

/** The words for a reason too short. */
function exceptionReasonProblem(reason: string): string {
  return `an exception needs a written reason of at least ${MIN_EXCEPTION_REASON} characters (why the rule does not apply here, and who accepted it), got '${reason}'`;
}
