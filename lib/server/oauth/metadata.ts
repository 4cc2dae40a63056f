/**
 * The RFC 8414 metadata and the JWKS (RFC 7517) of the OAuth side: only what
 * this server serves (the token endpoint for the client-credentials grant,
 * its client authentication methods, introspection), and the public halves
 * of the signing keys in force, the current one and those still verifying
 * tokens they signed (signing-keys.ts).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ServerError } from '../errors';
import { sendJson } from '../http';
import { SigningKeys, publicJwk } from '../signing-keys';
import { ASSERTION_ALGORITHMS } from './client-assertion';
import { GRANT_TYPE } from './token-endpoint';

/** Where introspection is served (introspection.ts). */
export const INTROSPECTION_PATH = '/token/introspection';

/** The token endpoint (token-endpoint.ts); request-guard.ts stands in front of it. */
export const TOKEN_PATH = '/token';

export const JWKS_PATH = '/jwks';

export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/** The metadata document for `issuer` (RFC 8414 section 2). */
export function metadataDocument(issuer: URL): Record<string, unknown> {
  return {
    issuer: issuer.origin,
    token_endpoint: new URL(TOKEN_PATH, issuer).href,
    jwks_uri: new URL(JWKS_PATH, issuer).href,
    introspection_endpoint: new URL(INTROSPECTION_PATH, issuer).href,
    grant_types_supported: [GRANT_TYPE],
    // RFC 8414 requires the field; no response type is served, since there is no authorization endpoint.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
  };
}

/** GET or HEAD only, for the JWKS and the metadata. */
function onlyRead(req: IncomingMessage, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new ServerError(405, 'invalid_request', `${path} takes GET or HEAD, got ${req.method}`, { headers: { allow: 'GET, HEAD' } });
  }
}

export function metadataEndpoint(issuer: URL): (req: IncomingMessage, res: ServerResponse) => void {
  const document = metadataDocument(issuer);
  return (req, res) => {
    onlyRead(req, METADATA_PATH);
    sendJson(res, 200, document);
  };
}

export function jwksEndpoint(signingKeys: SigningKeys): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    onlyRead(req, JWKS_PATH);
    sendJson(res, 200, { keys: signingKeys.inForce().published.map(publicJwk) }, { 'content-type': 'application/jwk-set+json; charset=utf-8' });
  };
}
