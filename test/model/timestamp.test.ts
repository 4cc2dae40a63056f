import { effectiveScopes, isExpired, ModelValidator, parseTimestamp, scopesHeldUntil, timestampProblem, TimestampError, tokenExpiryCap } from '../../lib/model';

describe('parseTimestamp (RFC 3339, strict)', () => {
  test.each([
    ['2027-01-31T00:00:00Z', Date.UTC(2027, 0, 31)],
    ['2027-01-31t00:00:00z', Date.UTC(2027, 0, 31)],
    ['2027-01-31T02:00:00+02:00', Date.UTC(2027, 0, 31)],
    ['2027-01-30T23:30:00-00:30', Date.UTC(2027, 0, 31)],
    ['2027-01-31T00:00:00.250Z', Date.UTC(2027, 0, 31, 0, 0, 0, 250)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['0050-01-01T00:00:00Z', -60589296000000],
  ])('reads %s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  test.each([
    ['2020-12-31T23:59:60Z', 'second 60 (a leap second) cannot be compared with a clock: use :59'],
    ['2027-02-30T00:00:00Z', 'day 30 does not exist in 2027-02'],
    ['2027-02-29T00:00:00Z', 'day 29 does not exist in 2027-02'],
    ['2027-13-01T00:00:00Z', 'month 13 does not exist'],
    ['2027-01-01T24:00:00Z', 'time 24:00 does not exist'],
    ['2027-01-01T00:00:61Z', 'second 61 does not exist'],
    ['2027-01-01T00:00:00+24:00', 'offset +24:00 does not exist'],
    ['2027-01-01T00:00:00', 'must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z'],
    ['2027-01-01', 'must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z'],
    ['2027-01-01 00:00:00Z', 'must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z'],
    ['next tuesday', 'must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z'],
  ])('fails when the value is %s: %s', (text, reason) => {
    expect(timestampProblem(text)).toBe(reason);
    expect(() => parseTimestamp(text)).toThrow(new TimestampError(`${reason}, got '${text}'`));
  });
});

describe('expiries judged with the strict parser', () => {
  const model = {
    scopes: [{ name: 'payment.approve', implies: [] }, { name: 'ticket.write', implies: ['ticket.comment'] }, { name: 'ticket.comment', implies: [] }],
    roles: [{ name: 'payer', scopes: ['payment.approve'] }, { name: 'agent', scopes: ['ticket.write'] }, { name: 'commenter', scopes: ['ticket.comment'] }],
    roleBindings: [
      { name: 'payers', role: 'payer', subjects: [{ clientId: 'bot', expiresAt: '2020-12-31T23:59:60Z', justification: 'CHG-1' }] },
      { name: 'agents', role: 'agent', subjects: [{ clientId: 'bot', expiresAt: '2026-03-01T12:00:40Z', justification: null }] },
      { name: 'commenters', role: 'commenter', subjects: [{ clientId: 'bot', expiresAt: '2026-03-05T00:00:00Z', justification: null }] },
    ],
  };
  const now = new Date('2026-03-01T12:00:00Z');

  test('a leap-second expiry counts as ended, never as "not expired"', () => {
    expect(isExpired('2020-12-31T23:59:60Z', now)).toBe(true);
    expect(isExpired('2099-12-31T23:59:60Z', now)).toBe(true);
    expect(isExpired('2099-12-31T23:59:59Z', now)).toBe(false);
    expect(effectiveScopes('bot', model, now)).toEqual(['ticket.comment', 'ticket.write']);
  });

  test('each held scope ends with the latest grant that gives it; a token is capped by the earliest of its scopes', () => {
    const held = scopesHeldUntil('bot', model, now);
    expect(Object.fromEntries([...held].map(([s, d]) => [s, d?.toISOString() ?? null]))).toEqual({
      'ticket.write': '2026-03-01T12:00:40.000Z',
      'ticket.comment': '2026-03-05T00:00:00.000Z',
    });
    expect(tokenExpiryCap(held, ['ticket.comment'])?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(tokenExpiryCap(held, ['ticket.comment', 'ticket.write'])?.toISOString()).toBe('2026-03-01T12:00:40.000Z');
    expect(tokenExpiryCap(new Map([['x.y', null]]), ['x.y'])).toBeNull();
  });

  test('the schema refuses a leap second with the reason, at the subject', () => {
    const result = new ModelValidator().validate('role-bindings', { name: 'payers', role: 'payer', subjects: [{ clientId: 'bot', expiresAt: '2020-12-31T23:59:60Z' }] });
    expect(result).toEqual({
      ok: false,
      problems: [{ path: ['subjects', 0, 'expiresAt'], field: 'subjects[0].expiresAt', message: "second 60 (a leap second) cannot be compared with a clock: use :59, got '2020-12-31T23:59:60Z'" }],
    });
  });
});
