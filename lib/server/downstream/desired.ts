/**
 * What the downstream must hold now, per client: the effective allowed scope
 * set the token endpoint would issue (policy/token-scopes.ts: unexpired
 * bindings, roles expanded, implications, minus what the policy withholds),
 * and the next instant at which that can change without a write (a grant or
 * a policy exception expiring), for the scheduler.
 */
import { isExpired } from '../../model/effective-scopes';
import { parseTimestamp } from '../../model/timestamp';
import { Snapshot } from '../../model/types';
import { PolicyDocument } from '../../policy';
import { tokenScopes } from '../../policy/token-scopes';

export interface DesiredState {
  /** Per model client: the scopes it may receive now, sorted. */
  clients: Map<string, string[]>;
  /** The earliest future instant at which a grant or an exception expires; null when none does. */
  nextChangeAt: Date | null;
}

export function desiredState(model: Snapshot, policy: PolicyDocument, now: Date): DesiredState {
  const clients = new Map<string, string[]>();
  for (const client of model.clients) {
    const input = { scopes: model.scopes, roles: model.roles, roleBindings: model.roleBindings, client };
    clients.set(client.clientId, tokenScopes(client.clientId, input, policy, now).scopes);
  }
  const expiries = [
    ...model.roleBindings.flatMap(binding => binding.subjects.map(subject => subject.expiresAt)),
    ...policy.exceptions.map(exception => exception.expiresAt),
  ];
  let nextChangeAt: Date | null = null;
  for (const expiresAt of expiries) {
    if (expiresAt == null || isExpired(expiresAt, now)) continue;
    const at = new Date(parseTimestamp(expiresAt));
    if (nextChangeAt === null || at < nextChangeAt) nextChangeAt = at;
  }
  return { clients, nextChangeAt };
}
