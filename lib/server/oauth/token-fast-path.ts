/**
 * The everyday token request, answered without oidc-provider: a client
 * sending its id and secret with HTTP Basic and asking the
 * client-credentials grant for some scopes, and getting them. Everything
 * else (every other client authentication, parameter or header, and every
 * refusal, even one decided here) goes to oidc-provider as before, which
 * answers it from scratch: the errors people see are all its own, and
 * nothing is written until a token is issued.
 *
 * Why by hand: oidc-provider's request pipeline (Koa, parameter assembly,
 * client model, WebCrypto signing) cost the event loop more than everything
 * the grant itself does; measured 2026-11-29 under the token benchmark, our
 * server issued 0.37x bare oidc-provider's tokens a second through it. The
 * token and the decision are the same either way: client-credentials-grant.ts
 * decides, mints (access-tokens.ts) and audits for both, and the secret is
 * checked by the same ClientSecrets. Once a token is minted, the request is
 * this path's to the end: a failed audit write is answered here (503 or 500,
 * no token), never tried a second time.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ClientSecrets } from '../secrets';
import { Decision, decide, GrantDependencies, issue } from './client-credentials-grant';

/** RFC 6749 appendix A.4 (the same test oidc-provider applies): scope tokens of visible ASCII but `"` and `\`. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
/** Ids and secrets that need no form-decoding (RFC 6749 section 2.3.1): anything else takes the general path. */
const PLAIN_CREDENTIAL = /^[A-Za-z0-9._~-]+$/;

/** The headers oidc-provider's token endpoint answers a token with, so that both ways look alike. */
const TOKEN_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate',
  vary: 'Origin',
};

/** Answers `req` when it is the everyday request and its token is issued; false: hand it to oidc-provider untouched. */
export type TokenFastPath = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean>;

export function tokenFastPath(deps: GrantDependencies, secrets: ClientSecrets): TokenFastPath {
  return async (req, res, body) => {
    const request = everydayRequest(req, body);
    if (!request) return false;
    let decision: Decision;
    try {
      const facts = await deps.reads.client(req, request.clientId);
      if (!facts?.secretHash || !(await secrets.verify(request.clientId, request.secret, facts.secretHash))) return false;
      decision = await decide(deps, req, request.clientId, request.scope, facts.secretHash);
    } catch {
      // A refusal (or the store away): oidc-provider decides again and words the answer.
      return false;
    }
    const text = JSON.stringify(await issue(deps, decision));
    res.writeHead(200, { ...TOKEN_HEADERS, 'content-length': Buffer.byteLength(text) }).end(text);
    return true;
  };
}

interface EverydayRequest {
  clientId: string;
  secret: string;
  scope: string | undefined;
}

/** The request's credentials and scope when it has exactly the everyday shape; null otherwise. */
function everydayRequest(req: IncomingMessage, body: Buffer): EverydayRequest | null {
  const { headers } = req;
  // A browser's request (CORS), a DPoP proof: oidc-provider's to answer.
  if (headers.origin !== undefined || headers.dpop !== undefined) return null;
  if (headers['content-type']?.toLowerCase() !== 'application/x-www-form-urlencoded') return null;
  const basic = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(headers.authorization ?? '');
  if (!basic) return null;
  const credentials = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  const clientId = credentials.slice(0, colon);
  const secret = credentials.slice(colon + 1);
  if (colon < 0 || !PLAIN_CREDENTIAL.test(clientId) || !PLAIN_CREDENTIAL.test(secret)) return null;
  const params = new URLSearchParams(body.toString('utf8'));
  const names = [...params.keys()];
  const onlyGrantAndScope = names.every(name => name === 'grant_type' || name === 'scope') && new Set(names).size === names.length;
  if (!onlyGrantAndScope || params.get('grant_type') !== 'client_credentials') return null;
  const scope = params.get('scope') ?? undefined;
  if (scope !== undefined && !SCOPE_SYNTAX.test(scope)) return null;
  return { clientId, secret, scope };
}
