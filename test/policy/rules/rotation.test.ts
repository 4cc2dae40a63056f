import { client, judge, model } from '../world';

describe('ROTATION', () => {
  it('passes when secrets rotate within the maximum', () => {
    expect(judge(model({ clients: [client('erp', { secretRotationDays: 60 })] }), 'ROTATION', { maxSecretRotationDays: 60 })).toEqual([]);
  });

  it('fails when a client rotates less often than the policy allows', () => {
    expect(judge(model({ clients: [client('erp', { secretRotationDays: 90 })] }), 'ROTATION', { maxSecretRotationDays: 60 }, 'prod')).toEqual([
      "[clients erp] ROTATION: client 'erp' rotates its secret every 90 days, more than the 60 days environment 'prod' allows; set secretRotationDays to 60 or less",
    ]);
  });

  it('does not judge a client known only by its id', () => {
    expect(judge(model({ clients: [{ clientId: 'erp', referenced: true }] }), 'ROTATION', { maxSecretRotationDays: 1 })).toEqual([]);
  });
});
