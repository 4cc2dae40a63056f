import { decideScopes, parseScopeParameter } from '../../../lib/server/oauth/scope-policy';

describe('decideScopes', () => {
  const effective = ['catalog.read', 'ticket.comment', 'ticket.write'];

  test('grants exactly the requested scopes, sorted and without repeats', () => {
    expect(decideScopes(['ticket.write', 'catalog.read', 'ticket.write'], effective)).toEqual({ ok: true, granted: ['catalog.read', 'ticket.write'] });
  });

  test('grants every effective scope when none is requested', () => {
    expect(decideScopes([], effective)).toEqual({ ok: true, granted: effective });
  });

  test('fails when any requested scope is not effective, listing only those', () => {
    expect(decideScopes(['catalog.read', 'payment.approve', 'po.create'], effective)).toEqual({ ok: false, refused: ['payment.approve', 'po.create'] });
  });

  test('parses the scope parameter, ignoring repeated spaces', () => {
    expect(parseScopeParameter(' a.b  c.d ')).toEqual(['a.b', 'c.d']);
    expect(parseScopeParameter(undefined)).toEqual([]);
  });
});
