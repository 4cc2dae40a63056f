/**
 * Refused token and introspection requests, counted per minute, endpoint,
 * client, source and reason instead of one audit row each: a flood of failed
 * requests costs a few rows a minute, whatever it sends. Every field is
 * bounded before it is kept: the client is a registered client's id or
 * `unknown`/`none` (request-guard.ts decides), the reason one of
 * REFUSAL_REASONS, the source a normalized address (source-address.ts), and
 * past `maxRowsPerMinute` distinct rows in a minute further sources count as
 * `other`. Counts gather in memory and reach the store in one batch per
 * `flushIntervalMs`, never one write per request.
 */
import { RefusalCount, RefusalEndpoint, RefusalReason } from '../../model/admin-api';
import { MetricsSink } from '../metrics/server-metrics';
import { RefusalCounterStore } from '../store/store';
import { Logger } from '../log';

export interface Refusal {
  endpoint: RefusalEndpoint;
  clientId: string;
  source: string;
  reason: RefusalReason;
}

export interface RefusalCounterOptions {
  store: RefusalCounterStore;
  now: () => Date;
  log: Logger;
  /** Counts the token endpoint's refusals as they happen, for Prometheus. */
  metrics: MetricsSink;
  maxRowsPerMinute: number;
  flushIntervalMs: number;
}

export class RefusalCounter {
  private pending = new Map<string, RefusalCount>();
  /** Rows of the current minute, to bound them (other minutes' rows are only late arrivals). */
  private minute = '';
  private readonly rowsThisMinute = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: RefusalCounterOptions) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs).unref();
  }

  record(refusal: Refusal): void {
    if (refusal.endpoint === 'token') this.options.metrics.tokenRefused(refusal.clientId, refusal.reason);
    const minute = minuteOf(this.options.now());
    if (minute !== this.minute) {
      this.minute = minute;
      this.rowsThisMinute.clear();
    }
    let row = { minute, ...refusal };
    if (!this.admit(row)) row = { ...row, source: 'other' };
    const key = rowKey(row);
    const counted = this.pending.get(key);
    if (counted) counted.count += 1;
    else this.pending.set(key, { ...row, count: 1 });
  }

  /** Writes what was counted since the last flush (one batch); a failed write keeps the counts for the next one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.options.store.addRefusals([...batch.values()]);
      } catch (error) {
        this.options.log.error(`could not store ${batch.size} refusal counters (kept for the next try): ${(error as Error).message}`);
        for (const [key, row] of batch) {
          const later = this.pending.get(key);
          if (later) later.count += row.count;
          else this.pending.set(key, row);
        }
      }
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private admit(row: Omit<RefusalCount, 'count'>): boolean {
    const key = rowKey(row);
    if (this.rowsThisMinute.has(key)) return true;
    if (this.rowsThisMinute.size >= this.options.maxRowsPerMinute) return false;
    this.rowsThisMinute.add(key);
    return true;
  }
}

export function minuteOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
}

function rowKey(row: Omit<RefusalCount, 'count'>): string {
  return JSON.stringify([row.minute, row.endpoint, row.clientId, row.source, row.reason]);
}
