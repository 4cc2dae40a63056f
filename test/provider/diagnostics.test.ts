/**
 * How each kind of failed call to the server is explained to a Terraform
 * user (lib/provider/framework/diagnostics.ts). The end-to-end cases (409,
 * 500, unreachable, token rejected) run through terraform in errors.test.ts;
 * "busy" is checked here because reaching it end to end means outlasting the
 * client's two-minute retry budget for 429/503.
 */
import { AdminApiError, ServerUnreachableError } from '../../lib/client/admin-client';
import { diagnoseFailure } from '../../lib/provider/framework/diagnostics';

const action = "create client 'erp'";
const apiError = (status: number, message: string, problems: { path: (string | number)[]; field: string; message: string }[] = []) =>
  new AdminApiError(status, 'some_code', message, 'PUT', '/admin/v1/clients/erp', problems as never);

describe('diagnostics of failed server calls', () => {
  test.each([429, 503])('fails with "Authorization server busy" when the server still answers %i after the retries, saying nothing was half-written', status => {
    expect(diagnoseFailure(apiError(status, 'slow down'), { action })).toEqual([
      {
        severity: 'error',
        summary: 'Authorization server busy',
        detail:
          `Could not create client 'erp': the server answered ${status} (slow down) even after retries with backoff. ` +
          'Nothing was half-written: wait a moment and run Terraform again (a lower -parallelism also helps).',
        path: undefined,
      },
    ]);
  });

  test.each([409, 412])('fails with "Conflicting change on the server" on %i, naming what to do', status => {
    const [diagnostic] = diagnoseFailure(apiError(status, "scope 'audit.read' is used by role 'auditor'"), { action });
    expect(diagnostic.summary).toBe('Conflicting change on the server');
    expect(diagnostic.detail).toMatch(/^Could not create client 'erp': scope 'audit\.read' is used by role 'auditor'\. Something else uses or changed this object: /);
    expect(diagnostic.detail).toContain('lifecycle { create_before_destroy = true }');
  });

  test.each([500, 502])('fails with "Authorization server error" on %i, saying the state records nothing', status => {
    const [diagnostic] = diagnoseFailure(apiError(status, 'boom'), { action });
    expect(diagnostic).toEqual({
      severity: 'error',
      summary: 'Authorization server error',
      detail: `Could not create client 'erp': the server answered ${status} (boom). Nothing was recorded in the state for this change; run Terraform again, and check the server's log if it persists.`,
      path: undefined,
    });
  });

  test('fails with one diagnostic per problem of a 4xx, at the attribute the context maps it to', () => {
    const problems = [
      { path: ['tokenLifetimeSeconds'], field: 'tokenLifetimeSeconds', message: 'must be >= 60, got 5' },
      { path: ['redirectUris', 0], field: 'redirectUris[0]', message: 'must be https' },
    ];
    const diagnostics = diagnoseFailure(apiError(400, 'invalid client', problems), {
      action,
      fieldName: p => (p.field === 'tokenLifetimeSeconds' ? 'token_lifetime_seconds' : 'redirect_uris'),
      pathOf: p => (p.field === 'tokenLifetimeSeconds' ? ['token_lifetime_seconds'] : ['redirect_uris']),
    });
    expect(diagnostics.map(d => [d.summary, d.detail, d.path])).toEqual([
      ['Rejected by the authorization server', "Could not create client 'erp': token_lifetime_seconds must be >= 60, got 5.", ['token_lifetime_seconds']],
      ['Rejected by the authorization server', "Could not create client 'erp': redirect_uris must be https.", ['redirect_uris']],
    ]);
  });

  test('fails with "Cannot reach the authorization server" when unreachable, saying nothing was changed', () => {
    const [diagnostic] = diagnoseFailure(new ServerUnreachableError('http://127.0.0.1:9', new Error('connect ECONNREFUSED')), { action });
    expect(diagnostic.summary).toBe('Cannot reach the authorization server');
    expect(diagnostic.detail).toContain('nothing was changed by the failed call');
  });
});
