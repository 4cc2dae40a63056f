/**
 * Bare node-oidc-provider 9, used through its public API only, in memory:
 * the yardstick of the token benchmark (token-load.ts) and the reference of
 * the token endpoint's differential suite
 * (test/server/token-differential.test.ts). It serves the client-credentials
 * grant with ES256 JWT access tokens (through `resourceIndicators`, the one
 * way oidc-provider issues JWTs for it), for the clients and scopes it is
 * given as one JSON argument (ReferenceConfig), and nothing else: no store,
 * no audit, no policy but each client's allowed scopes. Prints
 * `listening on <url>`, then serves until killed; SIGTERM ends it normally
 * (so that `node --cpu-prof` writes its profile).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReferenceClient {
  client_id: string;
  /** A secret client (client_secret_basic, which oidc-provider accepts as client_secret_post too)... */
  client_secret?: string;
  /** ...or a private_key_jwt client with these public keys. */
  jwks?: { keys: object[] };
  /** The scopes it may be granted, space separated; others are `invalid_scope`. */
  scope: string;
  grant_types?: string[];
}

export interface ReferenceConfig {
  /** The one resource (audience) tokens are for; any other `resource` is `invalid_target`. */
  audience: string;
  clients: ReferenceClient[];
  accessTokenTTL: number;
  /** Longest accepted client assertion lifetime, as this project's server applies it. */
  assertionMaxSeconds: number;
}

/** The part of oidc-provider's public API used here (it ships no types). */
interface OidcProvider {
  Provider: new (issuer: string, configuration: object) => { callback(): (req: unknown, res: unknown) => void };
  errors: Record<'InvalidScope' | 'InvalidTarget' | 'InvalidClientAuth', new (description: string, detail?: string) => Error>;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as ReferenceConfig;
  const { Provider, errors } = (await import('oidc-provider' as string)) as OidcProvider;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'reference', alg: 'ES256', use: 'sig' };
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const allowed = new Map(config.clients.map(c => [c.client_id, new Set(c.scope.split(' ').filter(Boolean))]));
  type Ctx = { oidc: { params: { scope?: string } } };
  const provider = new Provider(url, {
    clients: config.clients.map(({ jwks, client_secret, grant_types, ...client }) => ({
      ...client,
      ...(jwks ? { jwks, token_endpoint_auth_method: 'private_key_jwt' } : { client_secret }),
      grant_types: grant_types ?? ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      id_token_signed_response_alg: 'ES256',
    })),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    assertJwtClientAuthClaimsAndHeader: (_ctx: unknown, payload: { exp?: number }) => {
      if (typeof payload.exp === 'number' && payload.exp - Date.now() / 1000 > config.assertionMaxSeconds) throw new errors.InvalidClientAuth('assertion lives too long');
    },
    responseTypes: ['none'],
    jwks: { keys: [jwk] },
    scopes: [...new Set(config.clients.flatMap(c => c.scope.split(' ').filter(Boolean)))],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => config.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: Ctx, resource: string, client: { clientId: string }) => {
          if (resource !== config.audience) throw new errors.InvalidTarget('unknown resource');
          // oidc-provider lets through scopes it does not know; the client's allowed scopes are the whole list here.
          const scopes = allowed.get(client.clientId) ?? new Set<string>();
          const unknown = (ctx.oidc.params.scope ?? '').split(' ').filter(s => s && !scopes.has(s));
          if (unknown.length > 0) throw new errors.InvalidScope('requested scope is not allowed', unknown.join(' '));
          return { audience: config.audience, scope: [...scopes].join(' '), accessTokenTTL: config.accessTokenTTL, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
  });
  server.on('request', provider.callback());
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write(`listening on ${url}\n`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
