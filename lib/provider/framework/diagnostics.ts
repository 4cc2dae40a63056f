/**
 * Diagnostics: what Terraform shows the user. A short summary and a detail
 * that says what happened, the value involved and what to do next; an
 * attribute path when one field is at fault, so Terraform points at its line.
 * Every problem is appended, none stops the others from being reported.
 */
import { AdminApiError, ServerUnreachableError } from '../../client/admin-client';
import { OWNERSHIP_CONFLICT } from '../../model/ownership';
import { Message } from '../protocol/messages';
import { TerraformPath } from './model-mapping';

export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail: string;
  path?: TerraformPath;
}

export const error = (summary: string, detail: string, path?: TerraformPath): Diagnostic => ({ severity: 'error', summary, detail, path });
export const warning = (summary: string, detail: string, path?: TerraformPath): Diagnostic => ({ severity: 'warning', summary, detail, path });

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some(d => d.severity === 'error');
}

export function toProtocolDiagnostic(d: Diagnostic): Message {
  return {
    severity: d.severity === 'error' ? 1 : 2,
    summary: d.summary,
    detail: d.detail,
    attribute: d.path?.length
      ? { steps: d.path.map(step => (typeof step === 'number' ? { element_key_int: step } : { attribute_name: step })) }
      : undefined,
  };
}

/** How a failed call to the server is explained: `action` says what was being done, e.g. "create client 'erp'". */
export interface FailureContext {
  action: string;
  /** Where a problem reported by the server about a model field points, in Terraform terms. */
  pathOf?: (problem: { path: (string | number)[]; field: string }) => TerraformPath;
  /** A model field in the user's (Terraform) words. */
  fieldName?: (problem: { path: (string | number)[]; field: string }) => string;
}

export function diagnoseFailure(failure: unknown, context: FailureContext): Diagnostic[] {
  const { action } = context;
  if (failure instanceof ServerUnreachableError) {
    return [
      error(
        'Cannot reach the authorization server',
        `Could not ${action}: ${failure.message}, after several attempts with backoff. Check that the server is running ` +
          '(`procurement-scopes server`) and that the provider\'s `url` (or PROCUREMENT_URL) points at it, then run Terraform again: ' +
          'nothing was changed by the failed call.',
      ),
    ];
  }
  if (!(failure instanceof AdminApiError)) {
    const message = failure instanceof Error ? failure.message : String(failure);
    return [error('Unexpected provider error', `Could not ${action}: ${message}. Running Terraform again is safe; if it persists, report it.`)];
  }
  if (failure.status === 403 && failure.code === 'insufficient_role') {
    // A read token (what a pull request's plan gets) plans and refreshes; every write is refused before it changes anything.
    return [
      error(
        'Admin token cannot apply',
        `Could not ${action}: ${failure.message}. A read token can plan and refresh but cannot apply; nothing was changed by this call. ` +
          'Apply with a write token in PROCUREMENT_ADMIN_TOKEN (procurement-scopes admin-token create --role write).',
      ),
    ];
  }
  if (failure.status === 409 && failure.code === OWNERSHIP_CONFLICT.notManager) {
    return [error('Not managed by this resource', `Could not ${action}: ${failure.message}. Nothing was changed.`)];
  }
  switch (failure.status) {
    case 401:
    case 403:
      return [
        error(
          'Admin token rejected',
          `Could not ${action}: the server answered ${failure.status} (${failure.message}). Set the admin token of this server ` +
            'in PROCUREMENT_ADMIN_TOKEN (or the provider\'s `admin_token`) and run Terraform again.',
        ),
      ];
    case 409:
    case 412:
      return [
        error(
          'Conflicting change on the server',
          `Could not ${action}: ${failure.message}. Something else uses or changed this object: remove the references to it in the ` +
            'same change, or, when renaming an object others reference, set `lifecycle { create_before_destroy = true }` on it so that ' +
            'they move to the new one before the old one is deleted; then run Terraform again.',
        ),
      ];
    case 429:
    case 503:
      return [
        error(
          'Authorization server busy',
          `Could not ${action}: the server answered ${failure.status} (${failure.message}) even after retries with backoff. ` +
            'Nothing was half-written: wait a moment and run Terraform again (a lower -parallelism also helps).',
        ),
      ];
    default:
      if (failure.status >= 400 && failure.status < 500) {
        const problems = failure.problems.length ? failure.problems : [];
        if (problems.length) {
          return problems.map(p =>
            error(
              'Rejected by the authorization server',
              `Could not ${action}: ${context.fieldName ? context.fieldName(p) : p.field} ${p.message}.`,
              context.pathOf?.(p),
            ),
          );
        }
        return [error('Rejected by the authorization server', `Could not ${action}: ${failure.message} (HTTP ${failure.status}). Fix the configuration and run Terraform again.`)];
      }
      return [
        error(
          'Authorization server error',
          `Could not ${action}: the server answered ${failure.status} (${failure.message}). Nothing was recorded in the state for this change; run Terraform again, and check the server's log if it persists.`,
        ),
      ];
  }
}
