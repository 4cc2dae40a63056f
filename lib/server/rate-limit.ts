/**
 * A token bucket: `ratePerSecond` requests a second on average, bursts up to
 * the same number (at least one, so that a rate below one a second still
 * lets a request through now and then). `take` answers how long to wait when
 * the bucket is empty, which becomes the 429's `Retry-After`.
 *
 * `now` is in milliseconds. The server passes its own clock (the one grants
 * expire by, which tests move); that is wall time, so a clock set back must
 * not take tokens away: time only counts forward.
 */
export class TokenBucket {
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    this.burst = Math.max(1, ratePerSecond);
    this.tokens = this.burst;
    this.last = now();
  }

  /** Takes one token; answers 0 when allowed, otherwise the milliseconds until one is available. */
  take(): number {
    const wait = this.peek();
    if (wait === 0) this.tokens -= 1;
    return wait;
  }

  /** What `take` would answer, without taking: for limits charged after the answer is known. */
  peek(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSecond) * 1000;
  }
}

/**
 * One bucket per key (a client, a source address) in at most `maxKeys`
 * entries: callers choose the keys, and an attacker rotating them must not
 * grow the map. Past the bound the least recently used bucket is dropped, so
 * a key starts afresh only after `maxKeys` other keys were used since its
 * last request (the documented bound of each limit). A Map keeps insertion
 * order, which makes this LRU a few lines: not worth a runtime dependency.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  take(key: string): number {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = new TokenBucket(this.ratePerSecond, this.now);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket.take();
  }

  /** 0 when `key` may go on; a key never seen costs no entry. */
  peek(key: string): number {
    return this.buckets.get(key)?.peek() ?? 0;
  }

  get size(): number {
    return this.buckets.size;
  }
}
