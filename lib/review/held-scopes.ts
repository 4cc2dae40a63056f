/**
 * What a client holds, scope by scope, with why and until when: the same
 * grants and implications as lib/model's effectiveScopes (so the keys of this
 * map are exactly the client's effective scopes), plus the detail a reviewer
 * needs: through which role, and the latest expiry among those grants.
 */
import { EffectiveScopeInput, grantsByClient, withImplied } from '../model/effective-scopes';
import { parseTimestamp } from '../model/timestamp';

export interface HeldScope {
  clientId: string;
  scope: string;
  /** The latest expiry of the grants that give it; null when one of them never expires. */
  expiresAt: string | null;
  /** Roles that give it, e.g. `buyer` or `support → ticket.write` when implied by a granted scope. */
  via: string[];
  /** The justifications (change ticket or reason) of the grants that give it, each once. */
  justifications: string[];
}

export function heldScopes(clientId: string, model: EffectiveScopeInput, now: Date): Map<string, HeldScope> {
  const held = new Map<string, HeldScope>();
  const justificationOf = (binding: string) =>
    model.roleBindings.find(b => b.name === binding)?.subjects.find(s => s.clientId === clientId)?.justification ?? null;
  for (const grant of grantsByClient(model, now, clientId).get(clientId) ?? []) {
    const justification = justificationOf(grant.binding);
    for (const scope of withImplied([grant.scope], model.scopes)) {
      const via = scope === grant.scope ? grant.role : `${grant.role} → ${grant.scope}`;
      const seen = held.get(scope);
      if (!seen) {
        held.set(scope, { clientId, scope, expiresAt: grant.expiresAt, via: [via], justifications: justification ? [justification] : [] });
        continue;
      }
      seen.expiresAt = laterExpiry(seen.expiresAt, grant.expiresAt);
      if (!seen.via.includes(via)) seen.via.push(via);
      if (justification && !seen.justifications.includes(justification)) seen.justifications.push(justification);
    }
  }
  return held;
}

/** The later of two expiries, where null (never) is the latest. Grants only carry comparable expiries (grantsByClient drops the rest). */
export function laterExpiry(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null;
  return parseTimestamp(a) >= parseTimestamp(b) ? a : b;
}
