/**
 * The OAuth 2.0 side of the server, on oidc-provider: client authentication,
 * request parsing, errors, the JWKS and the RFC 8414 metadata are
 * oidc-provider's; the grant (client-credentials-grant.ts: scope policy,
 * token, audit), client lookup (client-adapter.ts), introspection
 * (introspection.ts) and the everyday request's fast path
 * (token-fast-path.ts) are ours.
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import type { OidcError, Provider } from 'oidc-provider';
import { ClientSecrets } from '../secrets';
import { SIGNING_ALG, SigningKeys } from '../signing-keys';
import { STORE_RETRY_AFTER_SECONDS } from '../store/store-unavailable';
import { adapterFactory } from './client-adapter';
import { AccessTokens } from './access-tokens';
import { clientCredentialsGrant, GrantDependencies } from './client-credentials-grant';
import { servedMetadata } from './metadata';
import { GrantBatcher } from './grant-batch';
import { TokenAudit } from './token-audit';
import { TokenFastPath, tokenFastPath } from './token-fast-path';
import { TokenReads } from './token-reads';

export interface OAuthProviderOptions {
  issuer: URL;
  signingKeys: SigningKeys;
  now: () => Date;
  log: (line: string) => void;
  /** What grants read (clients, secrets, the policy), once per request; shared with the request guard. */
  reads: TokenReads;
  secrets: ClientSecrets;
  /** Where grants wait for their group commit; the server flushes it before closing the store. */
  grants: GrantBatcher;
  /** Told the error code of every refused token request (counted by request-guard.ts; no audit row). */
  refused: (req: IncomingMessage, code: string | undefined) => void;
}

export interface OAuthProvider {
  provider: Provider;
  /** The everyday token request, answered without oidc-provider when it succeeds. */
  fastPath: TokenFastPath;
}

export async function createOAuthProvider({ issuer, signingKeys, now, log, reads, secrets, grants, refused }: OAuthProviderOptions): Promise<OAuthProvider> {
  const { Provider, errors } = await importOidcProvider();
  const provider = new Provider(issuer.origin, {
    adapter: adapterFactory(reads, () => Provider.ctx?.req),
    jwks: { keys: signingKeys.inForce().published },
    // Only what the client-credentials grant needs is on (served-routes.ts serves only its routes, metadata.ts
    // advertises only them): no sessions, userinfo, logout, PAR, DPoP (refused in the grant), OpenID or refresh tokens.
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
    },
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: SIGNING_ALG,
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    // An assertion (private_key_jwt) lives at most this long: its jti is remembered in this instance's memory
    // until it expires, so a short life bounds both that memory and a replay against another instance.
    assertJwtClientAuthClaimsAndHeader: assertShortLivedAssertion(errors),
    enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG] },
    // Cookies are only used by interactive flows, which this server does not offer.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: [],
    // No offline_access, so no refresh-token grant; oidc-provider adds `openid` itself, and metadata.ts leaves it out.
    scopes: [],
    claims: {},
  });
  // Requests reach oidc-provider with Host and X-Forwarded-Proto set from the issuer (served-routes.ts).
  provider.proxy = true;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'discovery' && ctx.body) ctx.body = servedMetadata(ctx.body as Record<string, unknown>, issuer);
  });

  // Client secrets are stored hashed (secrets.ts), so the comparison oidc-provider makes (and awaits)
  // against `client_secret` must verify against the hash. `provider.Client` is this provider's own
  // class, so the replacement affects nothing else.
  provider.Client.prototype.compareClientSecret = async function compareHashedSecret(this: { clientId: string; clientSecret?: string }, actual: string) {
    return this.clientSecret !== undefined && secrets.verify(this.clientId, actual, this.clientSecret);
  };

  const grant: GrantDependencies = {
    reads,
    tokens: new AccessTokens(issuer.origin, signingKeys),
    now,
    audit: new TokenAudit(now, grants),
    invalidScope: (description, scope) => new errors.InvalidScope(description, scope),
    unauthorizedClient: description => new errors.UnauthorizedClient(description),
    invalidTarget: description => new errors.InvalidTarget(description),
    invalidRequest: description => new errors.InvalidRequest(description),
  };
  provider.registerGrantType('client_credentials', clientCredentialsGrant(grant), ['scope', 'resource'], ['resource']);
  // A store outage reaches oidc-provider as a 503 temporarily_unavailable (store-unavailable.ts): say when to
  // retry, and do not count it as a refusal (nothing was decided).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status === 503) ctx.set('retry-after', String(STORE_RETRY_AFTER_SECONDS));
  });
  provider.on('grant.error', (ctx, error) => {
    if (error.error !== 'temporarily_unavailable') refused(ctx.req, error.error);
  });
  provider.on('server_error', (_ctx, error) => log(`error: oidc-provider: ${error.stack ?? error.message}`));
  return { provider, fastPath: tokenFastPath(grant, secrets) };
}

/** Longest accepted client assertion lifetime (exp - now), in seconds. */
export const ASSERTION_MAX_SECONDS = 300;

function assertShortLivedAssertion(errors: { InvalidClientAuth: new (description: string) => OidcError }) {
  return async (_ctx: unknown, payload: { exp?: number }) => {
    if (typeof payload.exp === 'number' && payload.exp - Date.now() / 1000 > ASSERTION_MAX_SECONDS) {
      throw new errors.InvalidClientAuth(`the client assertion must expire within ${ASSERTION_MAX_SECONDS} seconds`);
    }
  };
}

/**
 * oidc-provider is ESM only; with `module: node16` TypeScript keeps this `import()` as is, so it
 * loads from CommonJS. On import it warns "Unsupported runtime" on any Node older than 22 ("Jod").
 * The project supports Node >= 20.19 and its test suite runs this server there, so that one
 * warning would only confuse users: it is dropped, and any other warning still reaches stderr.
 */
async function importOidcProvider() {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}
