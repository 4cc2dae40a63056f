/** The audit entry of an admin change: who, what, which object, before and after. */
import { Kind } from '../../model/types';
import { NewAuditEntry } from '../store/store';

export function changeEntry(
  at: Date,
  actor: string,
  action: 'create' | 'update' | 'delete' | 'rotate-secret' | 'adopt',
  kind: Kind,
  key: string,
  before: unknown,
  after: unknown,
  actorNote: string | null = null,
): NewAuditEntry {
  return {
    at: at.toISOString(),
    actor,
    actorNote,
    action,
    kind,
    key,
    before: before ?? null,
    after: after ?? null,
    clientId: kind === 'clients' ? key : null,
    requestedScopes: null,
    grantedScopes: null,
    reason: null,
  };
}
