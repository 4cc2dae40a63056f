/**
 * The token endpoint (RFC 6749 section 3.2), this server's own: it serves
 * the client-credentials grant only. One way through, in oidc-provider's
 * order, which the differential suite (test/server/token-differential.test.ts)
 * holds it to against a bare oidc-provider: the form (token-parameters.ts),
 * client authentication (client-authentication.ts), the grant type, the
 * grant's own parameters, then the decision, the token and its audit
 * (client-credentials-grant.ts). Every refusal is thrown as a ServerError
 * and answered `{ error, error_description }` (RFC 6749 section 5.2) by the
 * server's error handler; the request guard (request-guard.ts) stands in
 * front with the body limit, rate limits and refusal counts. Nothing is
 * written until a token is issued.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ServerError } from '../errors';
import { AUTHENTICATION_PARAMETERS, TokenParameters } from './token-parameters';
import { ClientAuthentication } from './client-authentication';
import { decide, GrantDependencies, issue, refuseUnoffered } from './client-credentials-grant';

/** The grant this server serves. */
export const GRANT_TYPE = 'client_credentials';

/** The headers of a token answer (RFC 6749 section 5.1: never cached). */
const TOKEN_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' };

/** The same realm as introspection's challenge. */
const BASIC_CHALLENGE = 'Basic realm="procurement-scopes"';

/** Answers a token request whose body the request guard has read (null: not a POST). */
export type TokenEndpoint = (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => Promise<void>;

export function tokenEndpoint(grant: GrantDependencies, clients: ClientAuthentication): TokenEndpoint {
  const answer: TokenEndpoint = async (req, res, body) => {
    if (req.method !== 'POST' || body === null) {
      throw new ServerError(405, 'invalid_request', `/token takes POST, got ${req.method}`, { headers: { allow: 'POST' } });
    }
    const params = TokenParameters.read(req, body);
    params.refuseRepeated(AUTHENTICATION_PARAMETERS);
    const client = await clients.authenticate(req, params);
    params.refuseRepeated(['grant_type']);
    const grantType = params.get('grant_type');
    if (grantType === undefined) throw new ServerError(400, 'invalid_request', `missing required parameter 'grant_type'; this server serves grant_type=${GRANT_TYPE}`);
    if (grantType !== GRANT_TYPE) throw new ServerError(400, 'unsupported_grant_type', `unsupported grant_type '${grantType}': this server serves ${GRANT_TYPE} only`);
    params.refuseRepeated(['scope']);
    const scope = params.get('scope');
    refuseUnoffered(req, scope, params.resources());
    const text = JSON.stringify(await issue(grant, await decide(grant, req, client, scope)));
    res.writeHead(200, { ...TOKEN_HEADERS, 'content-length': Buffer.byteLength(text) }).end(text);
  };
  return async (req, res, body) => {
    try {
      await answer(req, res, body);
    } catch (error) {
      // RFC 6749 section 5.2: a client that tried the Authorization header and failed gets a challenge.
      if (!(error instanceof ServerError) || error.status !== 401 || req.headers.authorization === undefined) throw error;
      throw new ServerError(error.status, error.code, error.message, { ...error.options, headers: { 'www-authenticate': BASIC_CHALLENGE } });
    }
  };
}
