/**
 * The one resource server (audience) our access tokens are for, described the
 * way oidc-provider's `resourceIndicators.getResourceServerInfo` does: its
 * `accessTokenFormat: 'jwt'` is what makes client-credentials tokens signed
 * JWTs rather than opaque handles. The lifetime is the client's own
 * `tokenLifetimeSeconds`.
 */
import { Store } from '../store/store';
import { SIGNING_ALG } from '../signing-keys';

/** The `aud` of every access token. */
export const AUDIENCE = 'urn:procurement-scopes:api';

export interface ResourceServerInfo {
  audience: string;
  scope: string;
  accessTokenTTL: number;
  accessTokenFormat: 'jwt';
  jwt: { sign: { alg: string; kid?: string } };
  identifier(): string;
}

export async function resourceServerFor(store: Store, clientId: string): Promise<ResourceServerInfo | null> {
  const client = (await store.get('clients', clientId))?.value;
  if (!client) return null;
  return {
    audience: AUDIENCE,
    // Which scopes a token carries is decided by the grant (scope-policy.ts), not here.
    scope: '',
    accessTokenTTL: client.tokenLifetimeSeconds,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: SIGNING_ALG } },
    identifier: () => AUDIENCE,
  };
}
