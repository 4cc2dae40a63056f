import { ProcurementClient } from '../../../../lib/constructs';
import { reportOf, testAuthorization } from '../../fixture';

describe('ROTATION', () => {
  it('passes at the policy maximum', () => {
    const { auth } = testAuthorization({ maxSecretRotationDays: 60 });
    new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team', secretRotationDays: 60 });
    expect(reportOf(auth, 'ROTATION')).toEqual([]);
  });

  it('fails when a client rotates less often than the policy allows (the default 90 days counts)', () => {
    const { auth } = testAuthorization({ maxSecretRotationDays: 60 }, 'prod');
    new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team' });
    expect(reportOf(auth, 'ROTATION')).toEqual([
      "[stack/Auth/Erp] ROTATION: client 'erp' rotates its secret every 90 days, more than the 60 days environment 'prod' allows: set secretRotationDays to 60 or less",
    ]);
  });
});
