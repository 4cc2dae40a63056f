import { TokenBucket, TokenBuckets } from '../../lib/server/rate-limit';

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

  test('a rate below one a second still allows one request, then one every 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(0.2, () => now);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeCloseTo(5_000);
    now = 5_000;
    expect(bucket.take()).toBe(0);
  });

  test('a clock set back (the server\'s is wall time) takes nothing away: time counts from there, forward', () => {
    let now = 10_000;
    const bucket = new TokenBucket(1, () => now);
    expect(bucket.take()).toBe(0);
    now = 4_000;
    expect(bucket.take()).toBeCloseTo(1_000);
    now = 5_000;
    expect(bucket.take()).toBe(0);
  });
});

describe('TokenBuckets', () => {
  test('limits each key on its own; peek answers without taking, and a key never seen costs no entry', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 100, () => now);
    expect(buckets.peek('a')).toBe(0);
    expect(buckets.size).toBe(0);
    expect([buckets.take('a'), buckets.take('a')]).toEqual([0, 0]);
    expect(buckets.peek('a')).toBeCloseTo(500);
    expect(buckets.peek('a')).toBeCloseTo(500);
    expect(buckets.take('b')).toBe(0);
    now = 500;
    expect(buckets.peek('a')).toBe(0);
  });

  test('keeps at most maxKeys buckets whatever keys callers rotate through, dropping the least recently used', () => {
    const buckets = new TokenBuckets(1, 3, () => 0);
    buckets.take('early');
    buckets.take('kept');
    for (let i = 0; i < 1_000; i++) {
      buckets.take('kept'); // used between the rotated keys: never the least recent
      buckets.take(`rotated-${i}`);
      expect(buckets.size).toBeLessThanOrEqual(3);
    }
    expect(buckets.peek('kept')).toBeGreaterThan(0);
    expect(buckets.peek('early')).toBe(0); // dropped: it starts afresh
  });
});
