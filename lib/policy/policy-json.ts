/**
 * The policy document as JSON text, the way Terraform carries it
 * (`procurement_policy.document`): parsed and validated in one step, and
 * written in one spelling (whole, keys sorted, no whitespace) so that two
 * texts meaning the same policy compare equal whatever their key order,
 * whitespace or the preset fields they spell out.
 */
import { canonicalJson } from '../model/canonical-json';
import { ValidationResult } from '../model/validate';
import { PolicyDocument } from './policy-document';
import { validatePolicy } from './validate-policy';

/** JSON text -> the whole policy document, or the problems (a syntax error is one problem). */
export function parsePolicyJson(text: string): ValidationResult<PolicyDocument> {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (failure) {
    // V8 quotes the text around an unexpected token, which for a short document is all of it; the token says enough.
    const reason = (failure as Error).message.replace(/, ".*" is not valid JSON$/s, '');
    return { ok: false, problems: [{ path: [], field: '', message: `is not JSON (${reason})` }] };
  }
  return validatePolicy(input);
}

/** The one spelling of a (validated, whole) policy document. */
export function policyJson(document: PolicyDocument): string {
  return canonicalJson(document);
}

/** Whether two JSON texts are the same policy; false when either is not a valid policy. */
export function samePolicyJson(a: string, b: string): boolean {
  const [x, y] = [parsePolicyJson(a), parsePolicyJson(b)];
  return x.ok && y.ok && policyJson(x.value) === policyJson(y.value);
}
