import { Role, Scope, ScopeRisk } from '../../../../lib/constructs';
import { reportOf, testAuthorization } from '../../fixture';

describe('ALLOW-LIST', () => {
  it('passes when every scope matches an exact entry or a resource prefix', () => {
    const { auth } = testAuthorization({ allowedScopes: ['catalog.read', 'ticket.*'] });
    new Scope(auth, 'CatalogRead', { name: 'catalog.read', description: 'Read.', risk: ScopeRisk.LOW });
    new Scope(auth, 'TicketWrite', { name: 'ticket.write', description: 'Write.', risk: ScopeRisk.MEDIUM });
    expect(reportOf(auth, 'ALLOW-LIST')).toEqual([]);
  });

  it('does not apply without an allow-list', () => {
    const { auth } = testAuthorization();
    new Scope(auth, 'Anything', { name: 'sandbox.reset', description: 'Reset.', risk: ScopeRisk.LOW });
    expect(reportOf(auth, 'ALLOW-LIST')).toEqual([]);
  });

  it('fails when a scope that is not listed exists', () => {
    const { auth } = testAuthorization({ allowedScopes: ['catalog.*'] }, 'prod');
    new Scope(auth, 'SandboxReset', { name: 'sandbox.reset', description: 'Reset.', risk: ScopeRisk.LOW });
    expect(reportOf(auth, 'ALLOW-LIST')).toEqual([
      "[stack/Auth/SandboxReset] ALLOW-LIST: scope 'sandbox.reset' is not on the allow-list of environment 'prod' (allowed here: catalog.*. Add it to allowedScopes of the 'prod' policy or remove it)",
    ]);
  });

  it('fails when a role grants an imported scope that is not listed', () => {
    const { auth } = testAuthorization({ allowedScopes: ['catalog.*'] });
    new Role(auth, 'Auditor', { name: 'auditor', description: 'Audits.', scopes: [Scope.fromName(auth, 'AuditRead', 'audit.read')] });
    expect(reportOf(auth, 'ALLOW-LIST')[0]).toMatch(/^\[stack\/Auth\/Auditor\] ALLOW-LIST: role 'auditor' grants scope 'audit.read', which is not on the allow-list/);
  });
});
