/**
 * How long a token may live: the client's `tokenLifetimeSeconds`, but never
 * past `cap`, the moment the client stops holding one of the scopes the token
 * carries (the policy layer's `tokenExpiryCap`).
 */

/**
 * The token is stamped (access-tokens.ts) from another reading of the clock, a
 * moment after the decision's and in whole seconds: one second of margin keeps `exp` at or before the
 * cap even when that moment crosses a second boundary.
 */
export const EXPIRY_MARGIN_SECONDS = 1;

/** Grants ending sooner than this are not issued: no whole-second `exp` fits before their end. */
export const ISSUE_HORIZON_MS = (EXPIRY_MARGIN_SECONDS + 1) * 1000;

/** Seconds to issue the token for (at least 1 for any grant that ends after `now + ISSUE_HORIZON_MS`). */
export function tokenLifetimeSeconds(cap: Date | null, lifetimeSeconds: number, now: Date): number {
  if (cap === null) return lifetimeSeconds;
  const untilCap = Math.floor(cap.getTime() / 1000) - Math.floor(now.getTime() / 1000) - EXPIRY_MARGIN_SECONDS;
  return Math.min(lifetimeSeconds, untilCap);
}
