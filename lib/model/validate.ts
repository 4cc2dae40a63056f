/**
 * Validates and normalizes model objects with the JSON Schemas, and words
 * every problem in the user's terms: which field, what was received, what is
 * allowed. All problems are reported at once.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS } from './schemas';
import { timestampProblem } from './timestamp';
import { unusableKeys } from './public-keys';
import { Client, Kind, KindObject, RoleBinding } from './types';

export interface Problem {
  /** Path of the field in model terms, e.g. `['subjects', 0, 'expiresAt']`; empty for the object itself. */
  path: (string | number)[];
  /** The path rendered for people, e.g. `subjects[0].expiresAt`. */
  field: string;
  /** What is wrong and what is allowed, e.g. `must be one of low, medium, high, critical, got 'severe'`. */
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Fields whose order carries no meaning: normalization sorts them so that order never makes a diff. */
const SET_FIELDS = ['implies', 'scopes', 'grantTypes', 'redirectUris'] as const;

export class ModelValidator {
  private readonly validators: { [K in Kind]: ValidateFunction };

  constructor() {
    const ajv = createAjv();
    this.validators = {
      scopes: ajv.compile(SCHEMAS.scopes),
      roles: ajv.compile(SCHEMAS.roles),
      clients: ajv.compile(SCHEMAS.clients),
      'role-bindings': ajv.compile(SCHEMAS['role-bindings']),
    };
  }

  /** Validates `input` as a `kind` object; on success answers a normalized copy with defaults filled in. */
  validate<K extends Kind>(kind: K, input: unknown): ValidationResult<KindObject[K]> {
    const value = structuredCloneOrSame(input);
    const validator = this.validators[kind];
    const problems = validator(value) ? [] : problemsOf(validator.errors);
    if (problems.length === 0 && kind === 'role-bindings') problems.push(...duplicateSubjects(value as RoleBinding));
    if (problems.length === 0 && kind === 'clients') problems.push(...unusableKeys(value as Client));
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, value: normalize(kind, value as KindObject[K]) };
  }
}

/**
 * The ajv set-up every schema of the project is compiled with: all errors,
 * defaults applied, `hint` annotations, and `timestamp: true` for RFC 3339
 * values checked by the one strict parser (lib/model/timestamp.ts).
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strictTypes: false });
  addFormats(ajv, ['uri']);
  ajv.addKeyword({ keyword: 'hint', schemaType: 'string' });
  const timestamp = (enabled: boolean, data: unknown): boolean => {
    const problem = enabled && typeof data === 'string' ? timestampProblem(data) : null;
    timestamp.errors = problem === null ? [] : [{ keyword: 'timestamp', message: problem, params: {} }];
    return problem === null;
  };
  timestamp.errors = [] as Partial<ErrorObject>[];
  ajv.addKeyword({ keyword: 'timestamp', type: 'string', schemaType: 'boolean', errors: true, validate: timestamp });
  return ajv;
}

/** ajv's errors worded for people, one Problem each. */
export function problemsOf(errors: readonly ErrorObject[] | null | undefined): Problem[] {
  // `if` and `propertyNames` only repeat what the error inside them says.
  return (errors ?? []).filter(e => e.keyword !== 'if' && e.keyword !== 'propertyNames').map(toProblem);
}

/** Sorts set-valued fields so that two equal objects serialize identically. */
export function normalize<K extends Kind>(kind: K, object: KindObject[K]): KindObject[K] {
  const copy: Record<string, unknown> = { ...object };
  for (const field of SET_FIELDS) {
    if (Array.isArray(copy[field])) copy[field] = [...new Set(copy[field] as string[])].sort();
  }
  if (kind === 'role-bindings') {
    copy.subjects = [...(copy.subjects as RoleBinding['subjects'])]
      .map(s => ({ clientId: s.clientId, expiresAt: s.expiresAt ?? null, justification: s.justification ?? null }))
      .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0)); // code points, like the other sets
  }
  return copy as unknown as KindObject[K];
}

/** Renders a model path for people: `['subjects', 0, 'expiresAt']` → `subjects[0].expiresAt`. */
export function renderPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map(p => (p.field ? `${p.field}: ${p.message}` : p.message)).join('\n');
}

function structuredCloneOrSame(input: unknown): unknown {
  return input !== null && typeof input === 'object' ? structuredClone(input) : input;
}

function duplicateSubjects(binding: RoleBinding): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  binding.subjects.forEach((subject, index) => {
    if (seen.has(subject.clientId)) {
      const path = ['subjects', index, 'clientId'];
      problems.push({ path, field: renderPath(path), message: `names client '${subject.clientId}' twice: list each client once` });
    }
    seen.add(subject.clientId);
  });
  return problems;
}

function toProblem(error: ErrorObject): Problem {
  const path: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map(seg => (/^\d+$/.test(seg) ? Number(seg) : seg.replace(/~1/g, '/').replace(/~0/g, '~')));
  const hint = (error.parentSchema as { hint?: string } | undefined)?.hint;
  const got = describe(error.data);
  let message: string;
  switch (error.keyword) {
    case 'required':
      path.push(error.params.missingProperty);
      message = hint ?? 'is required';
      break;
    case 'additionalProperties': {
      path.push(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      message = `is not a known field (known fields: ${known.join(', ')})`;
      break;
    }
    case 'type':
      message = `must be ${String(error.params.type).replace(',', ' or ')}, got ${got}`;
      break;
    case 'not':
      // Never echo the value: a private key member is exactly what must not reach a log.
      message = (error.schema as { hint?: string } | undefined)?.hint ?? hint ?? 'is not allowed';
      break;
    case 'timestamp':
      message = `${error.message}, got ${got}`;
      break;
    case 'uniqueItems':
      message = `must not list the same value twice, got ${got}`;
      break;
    case 'minimum':
    case 'maximum':
      message = `${error.message}, got ${got}`;
      break;
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
      message = hint && error.keyword.startsWith('min') ? hint : `${error.message}, got ${got}`;
      break;
    default:
      message = hint ? `${hint}, got ${got}` : `${error.message ?? 'is invalid'}, got ${got}`;
  }
  return { path, field: renderPath(path), message };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return JSON.stringify(value).slice(0, 80);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
