/**
 * The server's Prometheus metrics (prom-client), answered by `GET /metrics`
 * (metrics-endpoint.ts). Everything lives in this object's own registry,
 * never prom-client's global one: two servers in one process count apart.
 *
 * Counters move at the one place each event happens: a token issued once its
 * audit entry is durable (oauth/token-audit.ts), a token request refused where
 * every refusal is counted (oauth/refusal-counter.ts), an admin write and an
 * admission refusal where every admin answer passes (admin/router.ts). Every
 * label value is bounded: client ids are registered clients' (an unregistered
 * id is `unknown`, none sent `none`: request-guard.ts decides), scopes are
 * granted ones, reasons, kinds, actions and rule ids come from fixed lists.
 * The grant gauges are computed from the store at scrape time (grant-gauges.ts).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { DownstreamStatus, RefusalReason, SCOPE_REFUSAL_REASONS, UsageEntry } from '../../model/admin-api';
import { Snapshot } from '../../model/types';
import { grantSeries } from './grant-gauges';

/** What a scrape reads from the store: two reads, whatever the size of the model. */
export interface MetricsReads {
  snapshot(): Promise<Snapshot>;
  usage(): Promise<UsageEntry[]>;
}

/** Where the server's parts report what they count. */
export type MetricsSink = Pick<ServerMetrics, 'tokenIssued' | 'tokenRefused' | 'adminWrite' | 'admissionRefused' | 'downstreamDrifted'>;

/** The sink of a server started with `--no-metrics`: counts nothing. */
export const NO_METRICS: MetricsSink = { tokenIssued: () => {}, tokenRefused: () => {}, adminWrite: () => {}, admissionRefused: () => {}, downstreamDrifted: () => {} };

export class ServerMetrics {
  private readonly registry = new Registry();
  private readonly tokensIssued = this.counter('procurement_tokens_issued_total', 'Access tokens issued, once per scope each carries.', ['client_id', 'scope']);
  private readonly tokenRefusals = this.counter(
    'procurement_token_refusals_total',
    'Refused token requests, by client (a registered id, `unknown` for an unregistered one, `none` when none was sent) and OAuth error.',
    ['client_id', 'reason'],
  );
  private readonly adminWrites = this.counter('procurement_admin_writes_total', 'Admin API writes answered with success, by kind of object and action.', ['kind', 'action']);
  private readonly admissionRefusals = this.counter('procurement_admission_refusals_total', 'Admin writes refused by the server policy, once per refusing rule.', ['rule']);
  private readonly grantExpiry = this.gauge(
    'procurement_grant_expiry_timestamp_seconds',
    'When a client stops holding a scope (Unix seconds), for grants that expire; by the scope\'s risk.',
    ['client_id', 'scope', 'risk'],
  );
  private readonly grantLastUsed = this.gauge('procurement_grant_last_used_timestamp_seconds', 'The last token issued to a client with a scope it holds now (Unix seconds).', ['client_id', 'scope']);
  private readonly grantHeld = this.gauge('procurement_grant_held', 'Always 1: a scope a client holds now, by the scope\'s risk (joins the other grant series to their risk).', [
    'client_id',
    'scope',
    'risk',
  ]);
  private readonly downstreamInSync = this.gauge(
    'procurement_downstream_in_sync',
    '1 when the downstream holds what the model allows now and nothing waits to be pushed, else 0 (server --downstream).',
    ['downstream'],
  );
  private readonly downstreamPending = this.gauge('procurement_downstream_pending', 'Changes the downstream does not hold yet: pushes to retry and clients waiting to be created or adopted.', ['downstream']);
  private readonly downstreamDrift = this.counter('procurement_downstream_drift_total', 'Changes found on the downstream made by someone else than the control plane, reverted or reported.', ['downstream']);
  /** The downstream push whose status the scrape reads, when the server has one. */
  private downstream: { status(): DownstreamStatus } | null = null;

  constructor(
    private readonly store: MetricsReads,
    private readonly now: () => Date,
  ) {}

  get contentType(): string {
    return this.registry.contentType;
  }

  tokenIssued(clientId: string, scopes: readonly string[]): void {
    for (const scope of scopes) this.tokensIssued.inc({ client_id: clientId, scope });
  }

  tokenRefused(clientId: string, reason: RefusalReason): void {
    this.tokenRefusals.inc({ client_id: clientId, reason });
  }

  adminWrite(kind: string, action: string): void {
    this.adminWrites.inc({ kind, action });
  }

  admissionRefused(ruleIds: readonly string[]): void {
    for (const rule of new Set(ruleIds)) this.admissionRefusals.inc({ rule });
  }

  /** Exports the status of the server's downstream push (its kind is the `downstream` label); drift counts from 0. */
  watchDownstream(source: { status(): DownstreamStatus }): void {
    this.downstream = source;
    this.downstreamDrift.inc({ downstream: source.status().kind }, 0);
  }

  downstreamDrifted(kind: string): void {
    this.downstreamDrift.inc({ downstream: kind });
  }

  /** The exposition text, with the grant gauges read from the store now. */
  async exposition(): Promise<string> {
    const [model, usage] = await Promise.all([this.store.snapshot(), this.store.usage()]);
    const series = grantSeries(model, usage, this.now());
    // Set in one synchronous step after the reads: a scrape never sees half of one read and half of another.
    // Every registered client's scope refusals (each of the three reasons) start at 0, so that `increase()` sees its very first one.
    for (const { clientId } of model.clients) {
      for (const reason of SCOPE_REFUSAL_REASONS) this.tokenRefusals.inc({ client_id: clientId, reason }, 0);
    }
    for (const gauge of [this.grantExpiry, this.grantLastUsed, this.grantHeld]) gauge.reset();
    for (const grant of series) {
      const { clientId: client_id, scope, risk } = grant;
      this.grantHeld.set({ client_id, scope, risk }, 1);
      if (grant.expiresAt !== null) this.grantExpiry.set({ client_id, scope, risk }, grant.expiresAt / 1000);
      if (grant.lastUsedAt !== null) this.grantLastUsed.set({ client_id, scope }, grant.lastUsedAt / 1000);
    }
    if (this.downstream) {
      const { kind, inSync, pending } = this.downstream.status();
      this.downstreamInSync.set({ downstream: kind }, inSync ? 1 : 0);
      this.downstreamPending.set({ downstream: kind }, pending.length);
    }
    return this.registry.metrics();
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
