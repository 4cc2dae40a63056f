import { EXPIRY_MARGIN_SECONDS, tokenLifetimeSeconds } from '../../../lib/server/oauth/token-lifetime';

const NOW = new Date('2026-03-01T12:00:00.400Z');

describe('tokenLifetimeSeconds', () => {
  it("is the client's lifetime when no grant behind the token ends, or when the first one ends later than that", () => {
    expect(tokenLifetimeSeconds(null, 600, NOW)).toBe(600);
    expect(tokenLifetimeSeconds(new Date('2026-03-31T12:00:00Z'), 600, NOW)).toBe(600);
    expect(tokenLifetimeSeconds(new Date('2026-03-01T12:10:02Z'), 600, NOW)).toBe(600);
  });

  it('ends a whole second before the first grant behind the token ends, counting from the whole second of now', () => {
    expect(EXPIRY_MARGIN_SECONDS).toBe(1);
    // exp = 12:00:00 + 40 stays at or before 12:00:41.2 whenever the token is stamped within this second.
    expect(tokenLifetimeSeconds(new Date('2026-03-01T12:00:41.200Z'), 600, NOW)).toBe(40);
    expect(tokenLifetimeSeconds(new Date('2026-03-01T12:10:00Z'), 600, NOW)).toBe(599);
  });
});
