/**
 * The client-credentials grant: which scopes a client gets, the token, its
 * audit. Two ways in, one decision: oidc-provider's grant (registered in
 * place of its own, so the scope policy is ours; oidc-provider has
 * authenticated the client by then, with any method it offers) and the fast
 * path (token-fast-path.ts) for the everyday request. Both call `decide`,
 * then `issue`.
 *
 * What the grant does not offer is refused, never ignored: a DPoP proof (the
 * token would come back a plain Bearer token) and a `resource` other than the
 * one audience our tokens are for (RFC 8707: `invalid_target`).
 *
 * The token endpoint is the last gate: a binding in the store may predate the
 * policy in force (or a change of its scope or client), so the policy judges
 * again at issue time and withholds what it forbids now. And a token never
 * outlives a grant behind a scope it carries.
 */
import type { OidcContext, OidcError } from 'oidc-provider';
import { tokenExpiryCap } from '../../model/effective-scopes';
import { tokenScopes } from '../../policy';
import { AccessTokens, AUDIENCE } from './access-tokens';
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
  invalidScope: (description: string, scope: string) => OidcError;
  unauthorizedClient: (description: string) => OidcError;
  invalidTarget: (description: string) => OidcError;
  invalidRequest: (description: string) => OidcError;
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

/** Mints and audits the token of a decided grant; answered only once its audit entry and usage are durable. */
export async function issue(deps: GrantDependencies, { clientId, secretHash, requested, granted, expiresIn }: Decision): Promise<TokenResponse> {
  const token = deps.tokens.issue({ clientId, granted, expiresIn, secretHash });
  await deps.audit.granted(clientId, requested, granted, token.jti);
  return { access_token: token.value, expires_in: expiresIn, token_type: 'Bearer', scope: granted.join(' ') };
}

/** oidc-provider's handler of the grant. */
export function clientCredentialsGrant(deps: GrantDependencies): (ctx: OidcContext) => Promise<void> {
  return async ctx => {
    refuseUnoffered(deps, ctx);
    const client = ctx.oidc.client!;
    ctx.body = await issue(deps, await decide(deps, ctx.req, client.clientId, ctx.oidc.params?.scope, client.clientSecret ?? null));
  };
}

function refuseUnoffered({ invalidTarget, invalidRequest }: GrantDependencies, ctx: OidcContext): void {
  if (ctx.headers.dpop !== undefined) {
    throw invalidRequest('DPoP-bound tokens are not offered by this server: send the request without the DPoP header to get a Bearer token');
  }
  const resources: unknown = ctx.oidc.params?.resource;
  const asked: unknown[] = resources === undefined ? [] : Array.isArray(resources) ? resources : [resources];
  const other = asked.find(resource => resource !== AUDIENCE);
  if (other !== undefined) {
    throw invalidTarget(`this server issues tokens for one resource, ${AUDIENCE}; leave out the resource parameter or send that value`);
  }
}

/** Which scopes the client gets, for how long; throws the OAuth error of a refusal, having written nothing. */
export async function decide(
  { reads, now, invalidScope, unauthorizedClient }: GrantDependencies,
  request: object,
  clientId: string,
  scope: string | undefined,
  secretHash: string | null,
): Promise<Decision> {
  const requested = parseScopeParameter(scope);
  const facts = await reads.client(request, clientId);
  if (!facts?.client.grantTypes.includes('client_credentials')) {
    throw unauthorizedClient(`client '${clientId}' is not allowed the client_credentials grant`);
  }
  const { client } = facts;
  const at = now();
  const input = { ...facts.input, client };
  // Judged a moment ahead: a grant ending before a whole-second `exp` fits inside it is not issued.
  const issuable = tokenScopes(clientId, input, (await reads.current(request)).document, new Date(at.getTime() + ISSUE_HORIZON_MS));
  const decision = decideScopes(requested, issuable.scopes);
  if (!decision.ok) {
    const withheld = new Map(issuable.withheld.map(w => [w.scope, w.reason]));
    const why = decision.refused.map(s => withheld.get(s) ?? `${s} is not granted to client '${clientId}'`);
    throw invalidScope(`scopes not granted to client '${clientId}': ${decision.refused.join(' ')} (${why.join('; ')})`, decision.refused.join(' '));
  }
  const cap = tokenExpiryCap(issuable.heldUntil, decision.granted);
  return { clientId, secretHash, requested, granted: decision.granted, expiresIn: tokenLifetimeSeconds(cap, client.tokenLifetimeSeconds, at) };
}
