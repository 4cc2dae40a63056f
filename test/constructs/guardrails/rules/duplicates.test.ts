import { ProcurementClient, Role, Scope, ScopeRisk } from '../../../../lib/constructs';
import { reportOf, testAuthorization } from '../../fixture';

describe('DUPLICATES', () => {
  it('passes when every key is declared once and imports repeat owned names', () => {
    const { auth } = testAuthorization();
    new Scope(auth, 'Read', { name: 'catalog.read', description: 'Read.', risk: ScopeRisk.LOW });
    Scope.fromName(auth, 'ReadAgain', 'catalog.read');
    expect(reportOf(auth, 'DUPLICATES')).toEqual([]);
  });

  it('fails when a key is declared twice or a binding names a client twice', () => {
    const { auth } = testAuthorization();
    new Scope(auth, 'Read', { name: 'catalog.read', description: 'Read.', risk: ScopeRisk.LOW });
    new Scope(auth, 'ReadToo', { name: 'catalog.read', description: 'Read again.', risk: ScopeRisk.LOW });
    const erp = new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team' });
    const role = new Role(auth, 'Reader', { name: 'reader', description: 'Reads.' });
    role.grantTo(erp);
    role.grantTo(erp, { justification: 'CHG-9' });
    expect(reportOf(auth, 'DUPLICATES')).toEqual([
      "[stack/Auth/ReadToo] DUPLICATES: scope 'catalog.read' is already declared at stack/Auth/Read: declare it once",
      "[stack/Auth/Reader/Grants] DUPLICATES: binding 'reader-grants' names client 'erp' twice: keep one grant per client",
    ]);
  });
});
