/**
 * A token bucket: `ratePerSecond` requests a second on average, bursts up to
 * the same number. `take` answers how long to wait when the bucket is empty,
 * which becomes the 429's `Retry-After`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = ratePerSecond;
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
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSecond) * 1000;
  }

  /** Refilled to its burst: forgetting it changes nothing. */
  full(): boolean {
    this.peek();
    return this.tokens >= this.ratePerSecond;
  }
}

/**
 * One bucket per key (a client, a source address) in at most `maxKeys`
 * entries: callers choose the keys, and an attacker rotating them must not
 * grow the map. Past the bound the least recently used bucket is dropped; a
 * dropped bucket that was not full lets its key start afresh, so the bound
 * is documented beside each limit. A Map keeps insertion order, which makes
 * this LRU a dozen lines: not worth a runtime dependency.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly maxKeys: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string): number {
    return this.bucket(key).take();
  }

  /** 0 when `key` may go on; a key never seen costs no entry. */
  peek(key: string): number {
    return this.buckets.get(key)?.peek() ?? 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key);
    else bucket = new TokenBucket(this.ratePerSecond, this.now);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) this.evictOne();
    return bucket;
  }

  /** The least recently used full bucket if one of the oldest few is full (nothing is lost), else the least recently used. */
  private evictOne(): void {
    let scanned = 0;
    for (const [key, bucket] of this.buckets) {
      if (bucket.full()) return void this.buckets.delete(key);
      if (++scanned >= 8) break;
    }
    this.buckets.delete(this.buckets.keys().next().value!);
  }
}
