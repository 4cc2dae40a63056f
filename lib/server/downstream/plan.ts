/**
 * What one sync pass must do, decided from three readings: what the model
 * wants now (desired.ts), what the control plane last pushed (its records),
 * and what the downstream holds (read back). Pure, so that the order rules
 * are plain to see and to test:
 *
 * - removals first: every step that takes a scope away (or deletes a client)
 *   comes before any step that adds one; a client that loses some scopes and
 *   gains others is first narrowed to what it keeps, then widened, so that no
 *   moment gives it both an old duty and a new one.
 * - drift is a downstream state that differs from what was last pushed and
 *   from what is wanted; `revert` pushes the wanted state over it, `report`
 *   leaves it until the model itself changes for that client, or an apply of
 *   that client (an admin write of it: the plan shows the drift as an update)
 *   puts it back.
 * - a client the downstream lacks is created only when someone waits for its
 *   credentials (an admin write of that client); otherwise it stays pending.
 */
import { DownstreamRecord } from '../store/store';
import { RemoteClient } from './adapter';

export type DriftMode = 'revert' | 'report';

export type Step =
  | { op: 'delete'; record: DownstreamRecord }
  | { op: 'set'; record: DownstreamRecord; scopes: string[] }
  | { op: 'create'; clientId: string; scopes: string[] }
  /** The client is gone from both the model and the downstream: only the record remains. */
  | { op: 'forget'; record: DownstreamRecord };

export interface Drift {
  clientId: string;
  /** What the control plane last pushed ([]: disabled). */
  expected: string[];
  /** What the downstream holds ([]: disabled); null: the client is gone there. */
  found: string[] | null;
  action: 'reverted' | 'reported';
}

export interface PassPlan {
  removals: Step[];
  additions: Step[];
  drift: Drift[];
  /** Clients the downstream lacks and nobody waits for: why they are not created now. */
  waiting: { clientId: string; why: string }[];
}

export function planPass(
  desired: ReadonlyMap<string, string[]>,
  records: readonly DownstreamRecord[],
  remote: ReadonlyMap<string, RemoteClient>,
  creates: ReadonlySet<string>,
  mode: DriftMode,
): PassPlan {
  const plan: PassPlan = { removals: [], additions: [], drift: [], waiting: [] };
  const recorded = new Set<string>();
  for (const record of records) {
    recorded.add(record.clientId);
    const held = heldBy(remote.get(record.clientId));
    const wanted = desired.get(record.clientId);
    if (wanted === undefined) {
      plan.removals.push(held === null ? { op: 'forget', record } : { op: 'delete', record });
      continue;
    }
    if (held !== null && same(held, wanted)) {
      // Pushed and confirmed, or the record lagging behind a push that landed: record what is there.
      if (!same(record.pushed, wanted)) plan.additions.push({ op: 'set', record, scopes: wanted });
      continue;
    }
    const drifted = held === null || !same(held, record.pushed);
    const intentChanged = !same(record.pushed, wanted);
    const applied = creates.has(record.clientId);
    // A client deleted there cannot be put back as it was (its credentials went with it): reported, whatever the mode.
    const reverts = held !== null && (mode === 'revert' || intentChanged || applied);
    if (drifted) plan.drift.push({ clientId: record.clientId, expected: record.pushed, found: held, action: reverts ? 'reverted' : 'reported' });
    if (drifted && mode === 'report' && !intentChanged && !applied) continue;
    if (held === null) {
      plan.waiting.push({ clientId: record.clientId, why: 'deleted on the downstream by someone else: replace the client (terraform apply -replace) to create it there again with new credentials' });
      continue;
    }
    const keeps = held.filter(scope => wanted.includes(scope));
    if (keeps.length < held.length) plan.removals.push({ op: 'set', record, scopes: keeps });
    if (keeps.length < wanted.length) plan.additions.push({ op: 'set', record, scopes: wanted });
  }
  for (const [clientId, wanted] of desired) {
    if (recorded.has(clientId)) continue;
    if (creates.has(clientId)) plan.additions.push({ op: 'create', clientId, scopes: wanted });
    else plan.waiting.push({ clientId, why: 'not created on the downstream yet: the next apply of the client creates it and delivers its credentials' });
  }
  return plan;
}

/** What the downstream lets the client receive ([] when disabled); null when the client is gone there. */
function heldBy(client: RemoteClient | undefined): string[] | null {
  if (!client) return null;
  return client.enabled ? client.scopes : [];
}

/** Two sorted scope lists hold the same scopes. */
export function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope, i) => scope === b[i]);
}
