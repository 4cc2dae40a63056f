import { TokenBucket } from '../../lib/server/rate-limit';

describe('TokenBucket', () => {
  test('allows a burst of `rate` requests, then answers how long to wait', () => {
    let now = 0;
    const bucket = new TokenBucket(2, () => now);
    expect([bucket.take(), bucket.take()]).toEqual([0, 0]);
    expect(bucket.take()).toBeCloseTo(500);
    now = 500;
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
  });
});
