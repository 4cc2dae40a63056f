/**
 * The client-credentials grant, registered in place of oidc-provider's own
 * so that the scope policy is ours: oidc-provider has already authenticated
 * the client (client_secret_basic or client_secret_post) when this runs; we
 * decide the scopes from the store and the server's policy, and
 * oidc-provider signs the JWT.
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
import type { OidcContext, OidcError, Provider } from 'oidc-provider';
import { tokenExpiryCap } from '../../model/effective-scopes';
import { tokenScopes } from '../../policy';
import { PolicyHolder } from '../admission/server-policy';
import { Store } from '../store/store';
import { ClientReads } from './client-reads';
import { AUDIENCE, ResourceServerInfo } from './resource-server';
import { decideScopes, parseScopeParameter } from './scope-policy';
import { TokenAudit } from './token-audit';
import { ISSUE_HORIZON_MS, tokenLifetimeSeconds } from './token-lifetime';

export interface GrantDependencies {
  provider: Provider;
  store: Store;
  /** The client and its effective-scope input, per store revision. */
  clients: ClientReads;
  policy: PolicyHolder;
  now: () => Date;
  audit: TokenAudit;
  resourceServer: (clientId: string) => Promise<ResourceServerInfo | null>;
  invalidScope: (description: string, scope: string) => OidcError;
  unauthorizedClient: (description: string) => OidcError;
  invalidTarget: (description: string) => OidcError;
  invalidRequest: (description: string) => OidcError;
}

export function clientCredentialsGrant(deps: GrantDependencies): (ctx: OidcContext) => Promise<void> {
  return async ctx => {
    refuseUnoffered(deps, ctx);
    const clientId = ctx.oidc.client!.clientId;
    const requested = parseScopeParameter(ctx.oidc.params?.scope);
    const { granted, expiresIn } = await decide(deps, clientId, requested);
    const token = await issue(deps, ctx, clientId, granted, expiresIn);
    const value = await token.save();
    // The token is answered only once its audit entry and usage are durable.
    await deps.audit.granted(clientId, requested, granted, token.jti!);
    ctx.body = {
      access_token: value,
      expires_in: token.expiration,
      token_type: token.tokenType,
      scope: granted.join(' '),
    };
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

interface Decision {
  granted: string[];
  expiresIn: number;
}

async function decide({ clients, store, policy, now, invalidScope, unauthorizedClient }: GrantDependencies, clientId: string, requested: string[]): Promise<Decision> {
  const facts = await clients.facts(clientId);
  if (!facts?.client.grantTypes.includes('client_credentials')) {
    throw unauthorizedClient(`client '${clientId}' is not allowed the client_credentials grant`);
  }
  const { client } = facts;
  const at = now();
  const input = { ...facts.input, client };
  // Judged a moment ahead: a grant ending before a whole-second `exp` fits inside it is not issued.
  const issuable = tokenScopes(clientId, input, (await policy.current(store)).document, new Date(at.getTime() + ISSUE_HORIZON_MS));
  const decision = decideScopes(requested, issuable.scopes);
  if (!decision.ok) {
    const withheld = new Map(issuable.withheld.map(w => [w.scope, w.reason]));
    const why = decision.refused.map(s => withheld.get(s) ?? `${s} is not granted to client '${clientId}'`);
    throw invalidScope(`scopes not granted to client '${clientId}': ${decision.refused.join(' ')} (${why.join('; ')})`, decision.refused.join(' '));
  }
  const cap = tokenExpiryCap(issuable.heldUntil, decision.granted);
  return { granted: decision.granted, expiresIn: tokenLifetimeSeconds(cap, client.tokenLifetimeSeconds, at) };
}

async function issue({ provider, resourceServer }: GrantDependencies, ctx: OidcContext, clientId: string, granted: string[], expiresIn: number) {
  const server = (await resourceServer(clientId))!;
  const token = new provider.ClientCredentials({
    client: ctx.oidc.client!,
    scope: granted.join(' ') || undefined,
    expiresIn,
  });
  token.resourceServer = server;
  ctx.oidc.entity('ClientCredentials', token);
  return token;
}
