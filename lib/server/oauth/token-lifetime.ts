/**
 * How long a token may live: the client's `tokenLifetimeSeconds`, but never
 * past the moment the client stops holding one of the scopes the token
 * carries. A scope held through several grants lasts as long as the last of
 * them; a token ends with the first of its scopes to end.
 */
import { Grant, withImplied } from '../../model/effective-scopes';
import { Scope } from '../../model/types';

/**
 * oidc-provider stamps `exp` from its own reading of the clock, a moment after
 * ours and in whole seconds: one second of margin keeps `exp` at or before the
 * grant's end even when that moment crosses a second boundary.
 */
export const EXPIRY_MARGIN_SECONDS = 1;

/**
 * Seconds to issue the token for; 0 or less means a granted scope ends before a
 * token could be stamped (the caller then treats that grant as expired).
 */
export function tokenLifetimeSeconds(
  granted: readonly string[],
  grants: readonly Grant[],
  scopes: readonly Pick<Scope, 'name' | 'implies'>[],
  lifetimeSeconds: number,
  now: Date,
): number {
  const end = tokenEnd(granted, grants, scopes);
  if (end === Infinity) return lifetimeSeconds;
  const untilEnd = Math.floor(end / 1000) - Math.floor(now.getTime() / 1000) - EXPIRY_MARGIN_SECONDS;
  return Math.min(lifetimeSeconds, untilEnd);
}

/** The instant (ms) the first granted scope stops being held; Infinity when none ever ends. */
function tokenEnd(granted: readonly string[], grants: readonly Grant[], scopes: readonly Pick<Scope, 'name' | 'implies'>[]): number {
  const lastEndOf = new Map<string, number>();
  for (const grant of grants) {
    const ends = grant.expiresAt === null ? Infinity : Date.parse(grant.expiresAt);
    for (const scope of withImplied([grant.scope], scopes)) {
      lastEndOf.set(scope, Math.max(lastEndOf.get(scope) ?? -Infinity, ends));
    }
  }
  return Math.min(...granted.map(scope => lastEndOf.get(scope) ?? Infinity));
}
