/**
 * The policy document's validation (the schema: policy-schema.ts). Fields left out take
 * the recommended preset of the document's environment, so a document says
 * only where it differs from the recommendation; the answer is always whole.
 */
import type { ValidateFunction } from 'ajv';
import { Problem, problemsOf, renderPath, ValidationResult } from '../model/validate';
import { MIN_EXCEPTION_REASON, PolicyDocument } from './policy-document';
import { policyValidator } from './compiled-policy-validator';
import { recommendedPolicy } from './presets';

let compiled: ValidateFunction | undefined;

/** Validates a (partial) policy document; on success answers it whole, the environment's preset filling what is left out. */
export function validatePolicy(input: unknown): ValidationResult<PolicyDocument> {
  compiled ??= policyValidator();
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
