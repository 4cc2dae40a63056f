/**
 * The control plane's sync engine: makes a downstream server hold, per
 * client, what the model allows now (desired.ts), in an order that never
 * widens access (plan.ts), and keeps at it:
 *
 * - after every admin write, the write's answer waits for a pass that started
 *   after it (`settle`), and fails naming what could not be pushed;
 * - a scheduler ticks every second: a pass when a grant or a policy exception
 *   has just expired (so the downstream stops issuing within seconds of
 *   `expiresAt`, with no apply), when a retry is due, and every
 *   `reconcileSeconds` to find drift;
 * - a pass that fails keeps nothing in memory that the next one needs: each
 *   pass recomputes the difference between the model and the downstream, so
 *   intent survives an outage (and a restart); retries back off to 30 s.
 *
 * Passes never overlap: requests made while one runs share the next one.
 * Only clients the control plane created or adopted (its records in the
 * store, adopt.ts) are ever read, changed or deleted downstream; creating a
 * client whose id the downstream already holds is refused with the way to
 * adopt it, and the other clients of the pass go on.
 */
import { AuditEntry, DownstreamAdoption, DownstreamOutOfSync, DownstreamStatus } from '../../model/admin-api';
import { Client, clientAuthentication } from '../../model/types';
import { PolicyHolder } from '../admission/server-policy';
import { ServerError } from '../errors';
import { MetricsSink } from '../metrics/server-metrics';
import { Store } from '../store/store';
import { Credentials, DownstreamAdapter, DownstreamError, RemoteClient } from './adapter';
import { adoptClient, adoptHint } from './adopt';
import { desiredState } from './desired';
import { Drift, DriftMode, planPass, same, Step } from './plan';
import { Logger } from '../log';

export interface DownstreamSyncOptions {
  store: Store;
  adapter: DownstreamAdapter;
  policy: PolicyHolder;
  now: () => Date;
  log: Logger;
  /** Counts drift found (procurement_downstream_drift_total). */
  metrics: Pick<MetricsSink, 'downstreamDrifted'>;
  /** Names this downstream in the store's records (kind and address): records of another downstream are never used. */
  downstreamId: string;
  drift: DriftMode;
  reconcileSeconds: number;
}

interface PassOutcome {
  error: string | null;
  created: Map<string, Credentials>;
}

type Creation = { clientId: string; candidateSecret: string };

const TICK_MS = 1_000;
const DRIFT_ACTION = 'downstream.drift';
const REPORTED = 'changed on the downstream by someone else: reported, not reverted (drift: report)';
const MAX_BACKOFF_MS = 30_000;
/** The status keeps this many recent drift findings and failures. */
const RECENT = 20;

export class DownstreamSync {
  private next: { promise: Promise<PassOutcome>; creates: Map<string, string> } | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private nextChangeAt: Date | null = null;
  private lastPassAt = 0;
  private retryAt: number | null = null;
  private failedPasses = 0;
  private readonly state: Omit<DownstreamStatus, 'kind'> = { inSync: false, lastReconcileAt: null, pending: [], drift: [], failures: [], outOfSync: [] };
  /** Drift already audited in `report` mode, so that a standing difference is audited once, not at every pass. */
  private readonly reported = new Set<string>();
  /** Clients whose creation met a client of the same id on the downstream, not ours: they wait for an adoption. */
  private readonly clashes = new Set<string>();

  constructor(private readonly options: DownstreamSyncOptions) {}

  /** First pass now, then the scheduler. */
  start(): void {
    void this.request();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  status(): DownstreamStatus {
    return { kind: this.options.adapter.kind, ...structuredClone(this.state) };
  }

  /**
   * Waits for a pass that starts after the caller's write. `create`: the client the caller writes, with the secret
   * to give it where the downstream takes ours; answered with its downstream credentials when this pass created it.
   * Throws a 502 naming what could not be pushed (the change stays stored here and pending), or a 409 saying why the
   * downstream still does not hold the written client (a client of that id that is not ours, one deleted there).
   */
  async settle(create?: Creation): Promise<Credentials | undefined> {
    const outcome = await this.request(create);
    // The pass reached the downstream, but it still does not hold the written client as the model wants: say why.
    const left = create && outcome.error === null ? this.state.outOfSync.find(c => c.clientId === create.clientId) : undefined;
    if (left) throw new ServerError(409, this.clashes.has(left.clientId) ? 'downstream_client_exists' : 'downstream_not_synced', `stored here, but not pushed: ${left.why}`);
    if (outcome.error !== null) {
      const pending = this.state.pending.map(p => `${p.change} ${p.clientId}`).join(', ');
      throw new ServerError(
        502,
        'downstream_not_synced',
        `stored here, but the downstream did not take it: ${outcome.error}` +
          (pending ? `; still to push: ${pending}` : '') +
          '. The control plane retries on its own (GET /admin/v1/downstream shows where it stands); run the apply again to confirm' +
          (create ? ` and to receive the credentials of client '${create.clientId}' if it is created then` : ''),
      );
    }
    return create ? outcome.created.get(create.clientId) : undefined;
  }

  /**
   * Takes ownership of a client someone else made on the downstream (adopt.ts), between two passes, then waits for
   * a pass that pushes the model's scopes over what it held.
   */
  async adopt(request: { clientId: string; reference: Readonly<Record<string, unknown>>; replace: boolean; actor: string; actorNote: string | null }): Promise<DownstreamAdoption> {
    const adopt = () => adoptClient(this.options, { ...request, at: this.options.now() });
    const adoption = this.running.then(() => this.options.store.exclusiveDownstream(this.options.downstreamId, adopt));
    this.running = adoption.catch(() => undefined);
    const answer = await adoption;
    this.clashes.delete(request.clientId);
    await this.settle();
    return answer;
  }

  private tick(): void {
    const now = this.options.now();
    const due =
      (this.nextChangeAt !== null && now >= this.nextChangeAt) ||
      (this.retryAt !== null && Date.now() >= this.retryAt) ||
      Date.now() - this.lastPassAt >= this.options.reconcileSeconds * 1000;
    if (due && this.next === null) void this.request();
  }

  private request(create?: Creation): Promise<PassOutcome> {
    if (!this.next) {
      const creates = new Map<string, string>();
      const promise = this.running.then(() => {
        this.next = null;
        return this.pass(creates);
      });
      this.next = { promise, creates };
      this.running = promise;
    }
    if (create) this.next.creates.set(create.clientId, create.candidateSecret);
    return this.next.promise;
  }

  private async pass(creates: ReadonlyMap<string, string>): Promise<PassOutcome> {
    const { store, adapter, downstreamId, now } = this.options;
    this.lastPassAt = Date.now();
    this.retryAt = null;
    const created = new Map<string, Credentials>();
    let steps: Step[] = [];
    let waiting: { clientId: string; why: string }[] = [];
    /** Per pushable client, what the model wants and what the downstream holds as far as this pass knows. */
    let standing: { wanted: ReadonlyMap<string, string[]>; held: Map<string, string[]>; reported: Set<string> } | null = null;
    const outcome = (error: string | null) => (standing ? this.outOfSync(standing, waiting, error) : this.state.outOfSync);
    try {
      // One instance at a time per downstream (several on one PostgreSQL store): no double push, no double audit.
      await store.exclusiveDownstream(downstreamId, async () => {
        const [model, policy, records] = await Promise.all([store.snapshot(), this.options.policy.current(store), store.downstreamClients(downstreamId)]);
        const started = now();
        const desired = desiredState(model, policy.document, started);
        this.nextChangeAt = desired.nextChangeAt;
        const pushable = pushableClients(model.clients, desired.clients);
        const assumed = (): Map<string, RemoteClient> => new Map(records.map(r => [r.clientId, { clientId: r.clientId, remoteId: r.remoteId, enabled: r.pushed.length > 0, scopes: r.pushed }]));
        standing = { wanted: pushable, held: new Map(records.map(r => [r.clientId, r.pushed])), reported: new Set() };
        // Until the downstream answers, what must be pushed is computed against what was pushed last.
        const assumedPlan = planPass(pushable, records, assumed(), new Set(creates.keys()), this.options.drift);
        steps = stepsOf(assumedPlan);
        waiting = assumedPlan.waiting;
        const remote = new Map((await adapter.list(records)).map(client => [client.clientId, client]));
        const plan = planPass(pushable, records, remote, new Set(creates.keys()), this.options.drift);
        waiting = plan.waiting;
        standing.held = new Map([...remote.values()].map(c => [c.clientId, c.enabled ? c.scopes : []]));
        standing.reported = new Set(plan.drift.filter(d => d.action === 'reported').map(d => d.clientId));
        await this.noteDrift(plan.drift, started);
        steps = stepsOf(plan);
        if (plan.additions.length > 0) await adapter.ensureScopes(model.scopes.map(s => ({ name: s.name, description: s.description })));
        for (const clientId of this.clashes) if (!pushable.has(clientId) || records.some(r => r.clientId === clientId)) this.clashes.delete(clientId);
        while (steps.length > 0) {
          const credentials = await this.apply(steps[0], creates);
          if (credentials) created.set(credentials.clientId, credentials.credentials);
          const step = steps.shift()!;
          // Not ours: left untouched, and waiting for an adoption like any client nobody waits for.
          if (step.op === 'create' && !credentials) waiting.push({ clientId: step.clientId, why: adoptHint(step.clientId) });
          if (step.op === 'set' || (step.op === 'create' && credentials)) standing.held.set(step.op === 'set' ? step.record.clientId : step.clientId, step.scopes);
        }
        this.failedPasses = 0;
        this.state.lastReconcileAt = started.toISOString();
        this.state.outOfSync = outcome(null);
        this.record(steps, waiting, null);
      });
      return { error: null, created };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.failedPasses++;
      this.retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failedPasses - 1));
      this.state.outOfSync = outcome(error);
      this.record(steps, waiting, error);
      this.options.log.warn(`downstream: ${error} (retry in ${Math.round((this.retryAt - Date.now()) / 1000)} s)`);
      return { error, created };
    }
  }

  /** One step, its record written as soon as the downstream took it. */
  private async apply(step: Step, creates: ReadonlyMap<string, string>): Promise<{ clientId: string; credentials: Credentials } | null> {
    const { store, adapter, downstreamId } = this.options;
    switch (step.op) {
      case 'forget':
        await store.deleteDownstreamClient(downstreamId, step.record.clientId);
        return null;
      case 'delete':
        await adapter.delete(step.record);
        await store.deleteDownstreamClient(downstreamId, step.record.clientId);
        return null;
      case 'set': {
        const owned = await adapter.setScopes(step.record, step.scopes);
        await store.putDownstreamClient(downstreamId, { ...owned, pushed: step.scopes });
        // The same record object is planned for a later addition step: it must see what was pushed.
        step.record.pushed = step.scopes;
        step.record.state = owned.state;
        return null;
      }
      case 'create': {
        let made: Awaited<ReturnType<DownstreamAdapter['create']>>;
        try {
          made = await adapter.create(step.clientId, step.scopes, creates.get(step.clientId)!);
        } catch (e) {
          if (!(e instanceof DownstreamError && e.reason === 'conflict')) throw e;
          this.clashes.add(step.clientId);
          this.options.log.warn(`downstream: ${e.message}`);
          return null;
        }
        const { owned, credentials } = made;
        await store.putDownstreamClient(downstreamId, { ...owned, pushed: step.scopes });
        return { clientId: step.clientId, credentials };
      }
    }
  }

  private async noteDrift(drift: readonly Drift[], at: Date): Promise<void> {
    for (const found of drift) {
      const key = `${found.clientId} ${JSON.stringify(found.found)}`;
      if (found.action === 'reported') {
        if (this.reported.has(key)) continue;
        this.reported.add(key);
        // Audited by another instance, or before a restart: a standing difference is audited once.
        if (await this.alreadyReported(found)) continue;
      }
      this.options.metrics.downstreamDrifted(this.options.adapter.kind);
      await this.options.store.appendAudit({
        at: at.toISOString(),
        actor: `downstream:${this.options.adapter.kind}`,
        actorNote: null,
        action: DRIFT_ACTION,
        kind: 'clients',
        key: found.clientId,
        before: { scopes: found.expected },
        after: found.found === null ? null : { scopes: found.found },
        clientId: found.clientId,
        requestedScopes: null,
        grantedScopes: null,
        reason: found.action === 'reverted' ? 'changed on the downstream by someone else: reverted' : REPORTED,
      });
      this.state.drift = [...this.state.drift, { ...found, at: at.toISOString() }].slice(-RECENT);
    }
  }

  /** The clients the downstream does not hold as the model wants now, each with why (what plans show). */
  private outOfSync(
    standing: { wanted: ReadonlyMap<string, string[]>; held: ReadonlyMap<string, string[]>; reported: ReadonlySet<string> },
    waiting: readonly { clientId: string; why: string }[],
    error: string | null,
  ): DownstreamOutOfSync[] {
    const out: DownstreamOutOfSync[] = [];
    for (const [clientId, wanted] of standing.wanted) {
      const held = standing.held.get(clientId) ?? null;
      if (held !== null && same(held, wanted)) continue;
      const why = this.clashes.has(clientId)
        ? adoptHint(clientId)
        : standing.reported.has(clientId)
          ? 'changed on the downstream by someone else, and reported, not reverted (drift: report): an apply of this client puts it back'
          : (waiting.find(w => w.clientId === clientId)?.why ?? `not pushed yet: ${error ?? 'waiting for the next pass'}`);
      out.push({ clientId, wanted, held, why });
    }
    return out;
  }

  /** Whether the client's last drift entry in the audit already reports this very difference. */
  private async alreadyReported(found: Drift): Promise<boolean> {
    let last: AuditEntry | undefined;
    for (let after: string | undefined; ; ) {
      const page = await this.options.store.queryAudit({ action: DRIFT_ACTION, clientId: found.clientId, after, limit: 100, maxBytes: 1 << 20 });
      last = page.entries.at(-1) ?? last;
      if (!page.more || page.entries.length === 0) break;
      after = String(page.entries.at(-1)!.id);
    }
    return last !== undefined && last.reason === REPORTED && JSON.stringify(last.after) === JSON.stringify(found.found === null ? null : { scopes: found.found });
  }

  private record(steps: readonly Step[], waiting: readonly { clientId: string; why: string }[], error: string | null): void {
    this.state.pending = [
      ...steps.map(step => ({ clientId: step.op === 'create' ? step.clientId : step.record.clientId, change: step.op, scopes: step.op === 'set' || step.op === 'create' ? step.scopes : null, why: null })),
      ...waiting.map(w => ({ clientId: w.clientId, change: 'create' as const, scopes: null, why: this.clashes.has(w.clientId) ? adoptHint(w.clientId) : w.why })),
    ];
    this.state.inSync = error === null && this.state.pending.length === 0;
    if (error !== null) this.state.failures = [...this.state.failures, { at: this.options.now().toISOString(), error }].slice(-RECENT);
  }
}

function stepsOf(plan: { removals: Step[]; additions: Step[] }): Step[] {
  return [...plan.removals, ...plan.additions];
}

/**
 * The clients pushed: every model client but those with public keys (private_key_jwt), whose keys the adapters do
 * not carry yet; they keep the embedded token endpoint.
 */
function pushableClients(clients: readonly Client[], desired: ReadonlyMap<string, string[]>): Map<string, string[]> {
  return new Map(clients.filter(c => clientAuthentication(c) === 'client_secret').map(c => [c.clientId, desired.get(c.clientId)!]));
}

