/**
 * Keeps what the server accumulates bounded: audit entries past their age
 * (`auditRetentionDays`) or past `auditMaxEntries`, and refusal counters past
 * `refusalRetentionDays`. Runs at start and every `retentionSweepSeconds`;
 * one sweep at a time, and a failed sweep is logged and tried again later.
 */
import { AuditRetentionStore, RefusalCounterStore } from './store/store';
import { Logger } from './log';

export interface RetentionOptions {
  store: AuditRetentionStore & RefusalCounterStore;
  now: () => Date;
  log: Logger;
  auditRetentionDays: number;
  auditMaxEntries: number;
  refusalRetentionDays: number;
  retentionSweepSeconds: number;
}

const DAY_MS = 86_400_000;

export class Retention {
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<void>;

  constructor(private readonly options: RetentionOptions) {
    this.sweeping = this.sweep();
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweep());
    }, options.retentionSweepSeconds * 1000).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    const { store, now, auditRetentionDays, auditMaxEntries, refusalRetentionDays } = this.options;
    const at = now().getTime();
    try {
      const audit = await store.pruneAudit(new Date(at - auditRetentionDays * DAY_MS).toISOString(), auditMaxEntries);
      const refusals = await store.pruneRefusals(new Date(at - refusalRetentionDays * DAY_MS).toISOString());
      if (audit + refusals > 0) this.options.log.info(`retention: removed ${audit} audit entries and ${refusals} refusal counters`);
    } catch (error) {
      this.options.log.error(`retention sweep failed (tried again in ${this.options.retentionSweepSeconds} s): ${(error as Error).message}`);
    }
  }
}
