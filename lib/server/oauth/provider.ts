/**
 * The OAuth 2.0 side of the server, on oidc-provider: client authentication,
 * JWT signing, the JWKS and the RFC 8414 metadata are oidc-provider's; the
 * scope policy (client-credentials-grant.ts), client lookup
 * (client-adapter.ts) and introspection (introspection.ts) are ours.
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import type { OidcError, Provider } from 'oidc-provider';
import { PolicyHolder } from '../admission/server-policy';
import { ClientSecrets } from '../secrets';
import { SIGNING_ALG, SigningKeys } from '../signing-keys';
import { Store } from '../store/store';
import { STORE_RETRY_AFTER_SECONDS } from '../store/store-unavailable';
import { adapterFactory } from './client-adapter';
import { credentialGeneration, GENERATION_CLAIM } from './credential-generation';
import { clientCredentialsGrant } from './client-credentials-grant';
import { ClientReads } from './client-reads';
import { servedMetadata } from './metadata';
import { AUDIENCE, ResourceServerInfo, resourceServerFor } from './resource-server';
import { GrantBatcher } from './grant-batch';
import { TokenAudit } from './token-audit';

export interface OAuthProviderOptions {
  issuer: URL;
  store: Store;
  signingKeys: SigningKeys;
  now: () => Date;
  log: (line: string) => void;
  policy: PolicyHolder;
  secrets: ClientSecrets;
  /** Where grants wait for their group commit; the server flushes it before closing the store. */
  grants: GrantBatcher;
  /** Told the error code of every refused token request (counted by request-guard.ts; no audit row). */
  refused: (req: IncomingMessage, code: string | undefined) => void;
}

export async function createOAuthProvider({ issuer, store, signingKeys, now, log, policy, secrets, grants, refused }: OAuthProviderOptions): Promise<Provider> {
  const { Provider, errors } = await importOidcProvider();
  const provider = new Provider(issuer.origin, {
    adapter: adapterFactory(store),
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
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string, client: { clientId: string }) => {
          const info = indicator === AUDIENCE ? signedByKeyInForce(await resourceServerFor(store, client.clientId)) : null;
          if (!info) throw new errors.InvalidTarget();
          return info;
        },
      },
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
    // The hash the client authenticated against in this very request: no second read, and a token obtained with a
    // secret rotated meanwhile carries that secret's generation (so it is inactive at once), not the new one's.
    extraTokenClaims: async (ctx: { oidc?: { client?: { clientSecret?: string } } }) => {
      const hash = ctx.oidc?.client?.clientSecret;
      return hash ? { [GENERATION_CLAIM]: credentialGeneration(hash) } : undefined;
    },
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

  // The JWKS publishes the next and retired keys too: the kid says which one signs.
  const signedByKeyInForce = (info: ResourceServerInfo | null) =>
    info && { ...info, jwt: { sign: { ...info.jwt.sign, kid: signingKeys.inForce().signing.kid } } };
  const audit = new TokenAudit(now, grants);
  provider.registerGrantType(
    'client_credentials',
    clientCredentialsGrant({
      provider,
      store,
      clients: new ClientReads(store),
      policy,
      now,
      audit,
      resourceServer: async clientId => signedByKeyInForce(await resourceServerFor(store, clientId)),
      invalidScope: (description, scope) => new errors.InvalidScope(description, scope),
      unauthorizedClient: description => new errors.UnauthorizedClient(description),
      invalidTarget: description => new errors.InvalidTarget(description),
      invalidRequest: description => new errors.InvalidRequest(description),
    }),
    ['scope', 'resource'],
    ['resource'],
  );
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
  return provider;
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
