/**
 * What the grant gauges show, read at scrape time: every scope each client
 * holds now (through its bindings, implied scopes included), with the scope's
 * risk, when the client stops holding it and when it last got a token with
 * it, from the two reads of a scrape (server-metrics.ts: the snapshot and the
 * usage table, whatever their size); usage of scopes no longer held is left
 * out.
 */
import { UsageEntry } from '../../model/admin-api';
import { grantsByClient, heldUntil } from '../../model/effective-scopes';
import { Snapshot } from '../../model/types';

export interface GrantSeries {
  clientId: string;
  scope: string;
  /** The scope's risk; `unknown` for a scope a role names that is not stored. */
  risk: string;
  /** Milliseconds since the epoch; null when the client holds the scope without expiry. */
  expiresAt: number | null;
  /** Milliseconds since the epoch; null when the client never got a token with it. */
  lastUsedAt: number | null;
}

export function grantSeries(model: Snapshot, usage: readonly UsageEntry[], now: Date): GrantSeries[] {
  const risks = new Map(model.scopes.map(s => [s.name, s.risk as string]));
  const lastUse = new Map(usage.map(u => [JSON.stringify([u.clientId, u.scope]), Date.parse(u.lastUsedAt)]));
  const out: GrantSeries[] = [];
  for (const [clientId, grants] of grantsByClient(model, now)) {
    for (const [scope, until] of heldUntil(grants, model.scopes)) {
      out.push({
        clientId,
        scope,
        risk: risks.get(scope) ?? 'unknown',
        expiresAt: until?.getTime() ?? null,
        lastUsedAt: lastUse.get(JSON.stringify([clientId, scope])) ?? null,
      });
    }
  }
  return out;
}
