/**
 * Grants nobody uses: scopes a client keeps through this plan (held before and
 * after) but has not asked for in a token for a while, by the server's usage
 * record. Breadth that no integration needs is breadth a leaked credential
 * gets for free; the review lists it so the next change can remove it.
 */
import { UsageEntry } from '../model/admin-api';
import { isTimestamp, parseTimestamp } from '../model/timestamp';
import { heldScopes } from './held-scopes';
import { Model } from './terraform-resources';

export interface UsageInput {
  /** The server's usage record (`GET /admin/v1/usage`). */
  entries: readonly UsageEntry[];
  /** A grant unused for longer than this is listed. */
  unusedAfterDays: number;
}

export interface UnusedGrant {
  clientId: string;
  scope: string;
  /** When the client last got a token with this scope; null when never. */
  lastUsedAt: string | null;
}

const DAY_MS = 86_400_000;

export function unusedGrants(live: Model, planned: Model, usage: UsageInput, now: Date): UnusedGrant[] {
  const lastUse = new Map(usage.entries.map(u => [`${u.clientId} ${u.scope}`, u.lastUsedAt]));
  const cutoff = now.getTime() - usage.unusedAfterDays * DAY_MS;
  const liveClients = new Set(live.clients.map(c => c.clientId));
  const out: UnusedGrant[] = [];
  for (const clientId of planned.clients.map(c => c.clientId).filter(id => liveClients.has(id)).sort()) {
    const before = heldScopes(clientId, live, now);
    for (const scope of [...heldScopes(clientId, planned, now).keys()].sort()) {
      if (!before.has(scope)) continue; // gained in this plan: nobody could have used it yet
      const lastUsedAt = lastUse.get(`${clientId} ${scope}`) ?? null;
      // A last use that cannot be read proves no recent use.
      if (lastUsedAt === null || !isTimestamp(lastUsedAt) || parseTimestamp(lastUsedAt) < cutoff) out.push({ clientId, scope, lastUsedAt });
    }
  }
  return out;
}
