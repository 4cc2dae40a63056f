/**
 * What a token request gets: exactly the requested scopes when every one of
 * them is effective for the client, `invalid_scope` naming the others
 * otherwise. No scope requested means every effective scope (RFC 6749 §3.3
 * lets the server choose a default): `verify` and simple integrations get
 * what the client is entitled to without listing it.
 */
export type ScopeDecision = { ok: true; granted: string[] } | { ok: false; refused: string[] };

export function decideScopes(requested: readonly string[], effective: readonly string[]): ScopeDecision {
  if (requested.length === 0) return { ok: true, granted: [...effective] };
  const allowed = new Set(effective);
  const refused = requested.filter(s => !allowed.has(s));
  return refused.length > 0 ? { ok: false, refused } : { ok: true, granted: [...new Set(requested)].sort() };
}

/** The `scope` parameter as a list: space separated, empty entries ignored. */
export function parseScopeParameter(scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter(Boolean);
}
