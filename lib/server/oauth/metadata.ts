/**
 * The RFC 8414 metadata, cut to what this server serves. oidc-provider
 * describes everything it could do (authorization endpoint, userinfo,
 * OpenID scopes, response modes, ...); a client reading it must see only
 * the endpoints and grants that answer here. Fields oidc-provider computes
 * from our configuration (grant types, client authentication methods and
 * their algorithms) are kept as it computes them.
 */
/** Where introspection is served; the server answers it itself (introspection.ts): oidc-provider refuses to introspect JWTs. */
export const INTROSPECTION_PATH = '/token/introspection';

/** oidc-provider's token endpoint (its default route); request-guard.ts stands in front of it. */
export const TOKEN_PATH = '/token';

/** Fields taken from oidc-provider's document as they are. */
const KEPT = [
  'issuer',
  'token_endpoint',
  'jwks_uri',
  'grant_types_supported',
  'token_endpoint_auth_methods_supported',
  'token_endpoint_auth_signing_alg_values_supported',
] as const;

export function servedMetadata(document: Record<string, unknown>, issuer: URL): Record<string, unknown> {
  const served: Record<string, unknown> = {};
  for (const key of KEPT) if (document[key] !== undefined) served[key] = document[key];
  return {
    ...served,
    introspection_endpoint: new URL(INTROSPECTION_PATH, issuer).href,
    // RFC 8414 requires the field; no response type is served, since there is no authorization endpoint.
    response_types_supported: [],
  };
}
