/**
 * The yardstick of the token benchmark: bare node-oidc-provider 9, in
 * memory, one client-credentials client, ES256 JWT access tokens (through
 * `resourceIndicators`, the same way our server gets JWTs), and nothing else:
 * no store, no audit, no scope policy. Run as its own process by
 * token-load.ts; prints `listening on <url>` and the client's credentials as
 * one JSON line, then serves until killed.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export const BARE_CLIENT_ID = 'bare-client';
export const BARE_SCOPE = 'catalog.read';
const AUDIENCE = 'urn:bench:api';

async function main(): Promise<void> {
  // Same warning filter as lib/server/oauth/provider.ts: Node 20 is supported here.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] !== 'string' || !args[0].includes('Unsupported runtime')) warn(...args);
  };
  const { Provider } = await import('oidc-provider');
  console.warn = warn;

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'ES256', use: 'sig' };
  const secret = randomBytes(32).toString('base64url');
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(url, {
    clients: [
      { client_id: BARE_CLIENT_ID, client_secret: secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256' },
    ],
    responseTypes: ['none'],
    jwks: { keys: [jwk as never] },
    scopes: [BARE_SCOPE],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ audience: AUDIENCE, scope: BARE_SCOPE, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      },
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
  } as never);
  server.on('request', provider.callback());
  process.stdout.write(`listening on ${url}\n${JSON.stringify({ clientId: BARE_CLIENT_ID, clientSecret: secret })}\n`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
