import { binding, client, judge, model, role, scope } from '../world';

describe('ALLOW-LIST', () => {
  it('does not apply without an allow-list', () => {
    expect(judge(model({ scopes: [scope('anything.at-all')] }), 'ALLOW-LIST')).toEqual([]);
  });

  it('passes when every scope is listed, exactly or by resource prefix', () => {
    const m = model({ scopes: [scope('catalog.read'), scope('ticket.comment')], roles: [role('reader', ['catalog.read', 'ticket.comment'])] });
    expect(judge(m, 'ALLOW-LIST', { allowedScopes: ['catalog.read', 'ticket.*'] })).toEqual([]);
  });

  it('fails when a declared scope is not listed', () => {
    expect(judge(model({ scopes: [scope('sandbox.reset')] }), 'ALLOW-LIST', { allowedScopes: ['catalog.*'] }, 'prod')).toEqual([
      "[scopes sandbox.reset] ALLOW-LIST: scope 'sandbox.reset' is not on the allow-list of environment 'prod'; " +
        "allowed here: catalog.*. Add it to allowedScopes of the 'prod' policy or remove it",
    ]);
  });

  it('fails on the role when a scope known only by name is granted but not listed', () => {
    const m = model({
      scopes: [{ name: 'sandbox.reset', referenced: true }],
      roles: [role('tester', ['sandbox.reset'])],
      clients: [client('bot')],
      roleBindings: [binding('testers', 'tester', 'bot')],
    });
    expect(judge(m, 'ALLOW-LIST', { allowedScopes: ['catalog.*'] })).toEqual([
      expect.stringMatching(/^\[roles tester\] ALLOW-LIST: role 'tester' grants scope 'sandbox.reset', which is not on the allow-list/),
    ]);
  });
});
