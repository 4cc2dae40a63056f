/**
 * fetch with the retry policy every client of the server shares:
 *
 * - 429 and 503 mean "busy": wait (the server's `Retry-After` when it gives
 *   one, else exponential backoff) and try again until a time budget is spent.
 *   The wait carries jitter, so that the many requests Terraform sends at once
 *   do not all come back in the same instant and be refused together again.
 * - A connection failure is retried a few times. Once a request has given up
 *   on the server, later requests through the same instance try only once:
 *   a server that is down fails the whole run fast, instead of every resource
 *   spending its own retry budget; one that is back answers them normally.
 * - A kept-alive connection the server closed (its idle timeout) while this
 *   process was busy, e.g. its event loop blocked by a synchronous child
 *   process, is reused before the close is seen: the request dies with no
 *   answer byte (undici's UND_ERR_SOCKET). That request is sent again at once,
 *   on a new connection, whatever `maxAttempts`: the server never saw it.
 */
import { describeCause, ServerUnreachableError } from './server-unreachable';

export interface RetryPolicy {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Attempts, the first included, while the server cannot be reached. */
  maxAttempts: number;
  /** How long to keep retrying while the server answers 429 or 503. */
  busyBudgetMs: number;
  /** Told of every retry, so that long waits are visible. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { timeoutMs: 30_000, maxAttempts: 6, busyBudgetMs: 120_000 };

export class RetryingFetch {
  /** Attempts sent, retries included: lets callers and tests see the cost of an operation. */
  attempts = 0;
  private gaveUp = false;

  constructor(private readonly policy: RetryPolicy) {}

  async fetch(url: string, init: RequestInit): Promise<Response> {
    const started = Date.now();
    const maxAttempts = this.gaveUp ? 1 : this.policy.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.send(url, init).catch(cause => {
          if (!closedBeforeAnswer(cause)) throw cause;
          return this.send(url, init);
        });
      } catch (cause) {
        if (attempt >= maxAttempts) {
          this.gaveUp = true;
          throw new ServerUnreachableError(new URL(url).origin, cause);
        }
        await this.wait(attempt, backoffMs(attempt), describeCause(cause));
        continue;
      }
      this.gaveUp = false;
      if (response.status === 429 || response.status === 503) {
        const delayMs = withJitter(parseRetryAfter(response.headers.get('retry-after')) ?? backoffMs(attempt));
        if (Date.now() - started + delayMs <= this.policy.busyBudgetMs) {
          await response.arrayBuffer();
          await this.wait(attempt, delayMs, `HTTP ${response.status}`);
          continue;
        }
      }
      return response;
    }
  }

  private send(url: string, init: RequestInit): Promise<Response> {
    this.attempts++;
    return fetch(url, { ...init, signal: AbortSignal.timeout(this.policy.timeoutMs) });
  }

  private async wait(attempt: number, delayMs: number, reason: string): Promise<void> {
    this.policy.onRetry?.({ attempt, delayMs, reason });
    await new Promise(resolve => setTimeout(resolve, delayMs));
  }
}

/** undici's "other side closed": the connection ended before any byte of the answer. */
function closedBeforeAnswer(cause: unknown): boolean {
  return (cause as { cause?: { code?: string } })?.cause?.code === 'UND_ERR_SOCKET';
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; capped at a minute. */
export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, Math.min(ms, 60_000)) : null;
}

function backoffMs(attempt: number): number {
  return Math.min(8_000, 200 * 2 ** (attempt - 1));
}

/** Up to half as long again, at random. */
function withJitter(ms: number): number {
  return ms * (1 + Math.random() / 2);
}
