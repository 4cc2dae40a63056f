/**
 * Single use within a lifetime, in bounded memory: a client assertion's
 * `jti` (RFC 7523 section 3, item 7) is refused again until the assertion
 * could no longer be accepted anyway. Only assertions whose signature
 * verified are remembered, and each for at most the assertion lifetime
 * limit, so the count follows the rate of real clients' requests; past
 * `max` live entries, new ones are refused (503, retry later) rather than
 * memory growing without end.
 */
import { ServerError } from '../errors';

export class SingleUse {
  /** key → when it may be used again (ms). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly max: number,
    /** What a refusal for a full memory tells the caller to wait, in seconds. */
    private readonly retryAfterSeconds: number,
  ) {}

  /** Records `key` as used until `until`; throws `invalid_client` when it was used and is still live. */
  use(key: string, until: number, at: number, reused: () => ServerError): void {
    const seenUntil = this.seen.get(key);
    if (seenUntil !== undefined && seenUntil > at) throw reused();
    if (this.seen.size >= this.max) {
      for (const [k, expiry] of this.seen) if (expiry <= at) this.seen.delete(k);
    }
    if (this.seen.size >= this.max) {
      throw new ServerError(503, 'temporarily_unavailable', `more than ${this.max} client assertions are live: retry once some expire`, {
        headers: { 'retry-after': String(this.retryAfterSeconds) },
      });
    }
    this.seen.set(key, until);
  }

  get size(): number {
    return this.seen.size;
  }
}
