/**
 * The client-credentials grant, registered in place of oidc-provider's own
 * so that the scope policy is ours: oidc-provider has already authenticated
 * the client (client_secret_basic or client_secret_post) when this runs; we
 * decide the scopes from the store, and oidc-provider signs the JWT.
 */
import type { OidcContext, OidcError, Provider } from 'oidc-provider';
import { grantsOf, withImplied } from '../../model/effective-scopes';
import { Store } from '../store/store';
import { ResourceServerInfo } from './resource-server';
import { decideScopes, parseScopeParameter } from './scope-policy';
import { TokenAudit } from './token-audit';
import { EXPIRY_MARGIN_SECONDS, tokenLifetimeSeconds } from './token-lifetime';

export interface GrantDependencies {
  provider: Provider;
  store: Store;
  now: () => Date;
  audit: TokenAudit;
  resourceServer: (clientId: string) => ResourceServerInfo | null;
  invalidScope: (description: string, scope: string) => OidcError;
  unauthorizedClient: (description: string) => OidcError;
}

export function clientCredentialsGrant(deps: GrantDependencies): (ctx: OidcContext) => Promise<void> {
  return async ctx => {
    const clientId = ctx.oidc.client!.clientId;
    const requested = parseScopeParameter(ctx.oidc.params?.scope);
    const { granted, expiresIn } = decide(deps, clientId, requested);
    const token = issue(deps, ctx, clientId, granted, expiresIn);
    const value = await token.save();
    deps.audit.granted(clientId, requested, granted);
    ctx.body = {
      access_token: value,
      expires_in: token.expiration,
      token_type: token.tokenType,
      scope: granted.join(' '),
    };
  };
}

interface Decision {
  granted: string[];
  expiresIn: number;
}

function decide({ store, now, invalidScope, unauthorizedClient }: GrantDependencies, clientId: string, requested: string[]): Decision {
  const client = store.get('clients', clientId)?.value;
  if (!client?.grantTypes.includes('client_credentials')) {
    throw unauthorizedClient(`client '${clientId}' is not allowed the client_credentials grant`);
  }
  const at = now();
  const input = store.effectiveScopeInput(clientId);
  // A grant ending before a token could be stamped with a whole-second `exp` inside it is not issued.
  const grants = grantsOf(clientId, input, new Date(at.getTime() + (EXPIRY_MARGIN_SECONDS + 1) * 1000));
  const effective = [...withImplied(grants.map(g => g.scope), input.scopes)].sort();
  const decision = decideScopes(requested, effective);
  if (!decision.ok) {
    throw invalidScope(`scopes not granted to client '${clientId}': ${decision.refused.join(' ')}`, decision.refused.join(' '));
  }
  return {
    granted: decision.granted,
    expiresIn: tokenLifetimeSeconds(decision.granted, grants, input.scopes, client.tokenLifetimeSeconds, at),
  };
}

function issue({ provider, resourceServer }: GrantDependencies, ctx: OidcContext, clientId: string, granted: string[], expiresIn: number) {
  const server = resourceServer(clientId)!;
  const token = new provider.ClientCredentials({
    client: ctx.oidc.client!,
    scope: granted.join(' ') || undefined,
    expiresIn,
  });
  token.resourceServer = server;
  ctx.oidc.entity('ClientCredentials', token);
  return token;
}
