/**
 * The client-credentials grant, once the client has authenticated
 * (client-authentication.ts): which scopes it gets, the token, its audit.
 *
 * What the grant does not offer is refused, never ignored: a DPoP proof (the
 * token would come back a plain Bearer token) and a `resource` other than the
 * one audience our tokens are for (RFC 8707: `invalid_target`).
 *
 * The token endpoint is the last gate: a binding in the store may predate the
 * policy in force (or a change of its scope or client), so the policy judges
 * again at issue time (tokenScopes) and withholds what it forbids now. And a
 * token never outlives a grant behind a scope it carries.
 */
import { IncomingMessage } from 'node:http';
import { SCOPE_REFUSAL_REASONS } from '../../model/admin-api';
import { expiredGrants, Grant, tokenExpiryCap } from '../../model/effective-scopes';
import { tokenScopes } from '../../policy';
import { ServerError } from '../errors';
import { AccessTokens, AUDIENCE } from './access-tokens';
import { AuthenticatedClient } from './client-authentication';
import { decideScopes, parseScopeParameter } from './scope-policy';
import { TokenAudit } from './token-audit';
import { ISSUE_HORIZON_MS, tokenLifetimeSeconds } from './token-lifetime';
import { TokenReads } from './token-reads';

export interface GrantDependencies {
  /** The client, its effective-scope input and the policy, as of the request's store version. */
  reads: TokenReads;
  tokens: AccessTokens;
  now: () => Date;
  audit: TokenAudit;
}

/** The token response (RFC 6749 section 5.1). */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

/** What an authenticated client is granted; `secretHash`: the hash it authenticated against, null for private_key_jwt. */
export interface Decision {
  clientId: string;
  secretHash: string | null;
  requested: string[];
  granted: string[];
  expiresIn: number;
}

/** RFC 6749 appendix A.4 (the same test oidc-provider applies): scope tokens of visible ASCII but `"` and `\`. */
const SCOPE_SYNTAX = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/** Refuses what the grant does not offer: a malformed scope, a DPoP proof, another audience. */
export function refuseUnoffered(req: IncomingMessage, scope: string | undefined, resources: readonly string[]): void {
  if (scope !== undefined && !SCOPE_SYNTAX.test(scope)) {
    throw new ServerError(400, 'invalid_scope', 'scope contains invalid characters: scopes are visible ASCII other than " and \\, separated by single spaces');
  }
  if (req.headers.dpop !== undefined) {
    throw new ServerError(400, 'invalid_request', 'DPoP-bound tokens are not offered by this server: send the request without the DPoP header to get a Bearer token');
  }
  if (resources.some(resource => resource !== AUDIENCE)) {
    throw new ServerError(400, 'invalid_target', `this server issues tokens for one resource, ${AUDIENCE}; leave out the resource parameter or send that value`);
  }
}

/** Mints and audits the token of a decided grant; answered only once its audit entry and usage are durable. */
export async function issue(deps: GrantDependencies, { clientId, secretHash, requested, granted, expiresIn }: Decision): Promise<TokenResponse> {
  const token = deps.tokens.issue({ clientId, granted, expiresIn, secretHash });
  await deps.audit.granted(clientId, requested, granted, token.jti);
  return { access_token: token.value, expires_in: expiresIn, token_type: 'Bearer', scope: granted.join(' ') };
}

/** Which scopes the client gets, for how long; throws the OAuth error of a refusal, having written nothing. */
export async function decide({ reads, now }: GrantDependencies, request: object, { clientId, secretHash }: AuthenticatedClient, scope: string | undefined): Promise<Decision> {
  const requested = parseScopeParameter(scope);
  const facts = await reads.client(request, clientId);
  if (!facts?.client.grantTypes.includes('client_credentials')) {
    throw new ServerError(400, 'unauthorized_client', `client '${clientId}' is not allowed the client_credentials grant`);
  }
  const { client } = facts;
  const at = now();
  const input = { ...facts.input, client };
  // Judged a moment ahead: a grant ending before a whole-second `exp` fits inside it is not issued.
  const horizon = new Date(at.getTime() + ISSUE_HORIZON_MS);
  const issuable = tokenScopes(clientId, input, (await reads.current(request)).document, horizon);
  const decision = decideScopes(requested, issuable.scopes);
  if (!decision.ok) {
    const withheld = new Map(issuable.withheld.map(w => [w.scope, w.reason]));
    // Only on refusal: a scope the client held through a grant that has ended is named with when it ended.
    const expired = expiredGrants(clientId, input, horizon);
    const why = decision.refused.map(s => withheld.get(s) ?? endedOrMissing(s, clientId, expired.get(s)));
    const reasons = new Set(decision.refused.map(s => (withheld.has(s) ? 'policy' : expired.has(s) ? 'expired_grant' : 'invalid_scope')));
    throw new ServerError(400, 'invalid_scope', `scopes not granted to client '${clientId}': ${decision.refused.join(' ')} (${why.join('; ')})`, {
      extra: { scope: decision.refused.join(' ') },
      refusal: SCOPE_REFUSAL_REASONS.find(reason => reasons.has(reason)),
    });
  }
  const cap = tokenExpiryCap(issuable.heldUntil, decision.granted);
  return { clientId, secretHash, requested, granted: decision.granted, expiresIn: tokenLifetimeSeconds(cap, client.tokenLifetimeSeconds, at) };
}

function endedOrMissing(scope: string, clientId: string, ended: Grant | undefined): string {
  if (ended === undefined) return `${scope} is not granted to client '${clientId}'`;
  return `${scope} was granted to client '${clientId}' by binding '${ended.binding}', which expired at ${ended.expiresAt}: renew the grant (a later expiresAt) to get it again`;
}
