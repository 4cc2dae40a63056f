/**
 * The client-credentials grant, registered in place of oidc-provider's own
 * so that the scope policy is ours: oidc-provider has already authenticated
 * the client (client_secret_basic or client_secret_post) when this runs; we
 * decide the scopes from the store, and oidc-provider signs the JWT.
 */
import type { OidcContext, OidcError, Provider } from 'oidc-provider';
import { effectiveScopes } from '../../model/effective-scopes';
import { Store } from '../store/store';
import { ResourceServerInfo } from './resource-server';
import { decideScopes, parseScopeParameter } from './scope-policy';
import { TokenAudit } from './token-audit';

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
    const granted = decide(deps, clientId, requested);
    const token = issue(deps, ctx, clientId, granted);
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

function decide({ store, now, invalidScope, unauthorizedClient }: GrantDependencies, clientId: string, requested: string[]): string[] {
  const client = store.get('clients', clientId)?.value;
  if (!client?.grantTypes.includes('client_credentials')) {
    throw unauthorizedClient(`client '${clientId}' is not allowed the client_credentials grant`);
  }
  const effective = effectiveScopes(clientId, store.effectiveScopeInput(clientId), now());
  const decision = decideScopes(requested, effective);
  if (!decision.ok) {
    throw invalidScope(`scopes not granted to client '${clientId}': ${decision.refused.join(' ')}`, decision.refused.join(' '));
  }
  return decision.granted;
}

function issue({ provider, resourceServer }: GrantDependencies, ctx: OidcContext, clientId: string, granted: string[]) {
  const server = resourceServer(clientId)!;
  const token = new provider.ClientCredentials({
    client: ctx.oidc.client!,
    scope: granted.join(' ') || undefined,
    expiresIn: server.accessTokenTTL,
  });
  token.resourceServer = server;
  ctx.oidc.entity('ClientCredentials', token);
  return token;
}
