/**
 * Refused token and introspection requests in the log, bounded: per interval,
 * the first refusal of each endpoint, client and reason gets a line of its own
 * (with its request id and source), and the rest are counted and told in one
 * line when the interval ends. A flood of refused requests therefore writes at
 * most two lines per interval for each (endpoint, client, reason), whatever its
 * rate; the client is already bounded (a registered id, `unknown` or `none`:
 * request-guard.ts) and the reason one of REFUSAL_REASONS. Every refusal is
 * still counted in full (refusal-counter.ts, the metrics).
 */
import { Logger } from '../log';
import { Refusal } from './refusal-counter';

export interface RefusalLogOptions {
  log: Logger;
  intervalMs: number;
}

export class RefusalLog {
  /** Refusals since the interval's first line, per endpoint, client and reason. */
  private suppressed = new Map<string, { refusal: Refusal; count: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: RefusalLogOptions) {
    this.timer = setInterval(() => this.summarize(), options.intervalMs).unref();
  }

  record(refusal: Refusal, reqId: string | undefined): void {
    const key = `${refusal.endpoint} ${refusal.clientId} ${refusal.reason}`;
    const seen = this.suppressed.get(key);
    if (seen) {
      seen.count += 1;
      return;
    }
    this.suppressed.set(key, { refusal, count: 0 });
    const { endpoint, clientId, reason, source } = refusal;
    this.options.log.info({ reqId, endpoint, clientId, reason, source }, `${endpoint} request refused: ${reason}`);
  }

  /** Stops the timer and tells what is left. */
  close(): void {
    clearInterval(this.timer);
    this.summarize();
  }

  private summarize(): void {
    const seconds = Math.round(this.options.intervalMs / 1000);
    for (const { refusal, count } of this.suppressed.values()) {
      if (count === 0) continue;
      const { endpoint, clientId, reason } = refusal;
      this.options.log.info(
        { endpoint, clientId, reason, count, intervalSeconds: seconds },
        `${count} more ${endpoint} requests refused (${reason}) for client ${clientId} within ${seconds} s, not logged one by one`,
      );
    }
    this.suppressed = new Map();
  }
}
