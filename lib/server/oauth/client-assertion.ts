/**
 * private_key_jwt (RFC 7523 section 3, OpenID Connect Core section 9): a
 * client proves itself with a JWT it signed with one of its registered
 * public keys (its `jwks`, or the keys its `jwksUri` serves, remote-jwks.ts).
 * `jose` checks the signature and the time claims; the rules of RFC 7523 are
 * checked here, in the order oidc-provider checks them (the differential
 * suite, test/server/token-differential.test.ts, holds both to the same
 * answers): `exp` and `jti` present, `iss` = `sub` = the client id, `aud` the
 * issuer or the token endpoint, and `exp` at most ASSERTION_MAX_SECONDS away,
 * so that each `jti` is remembered (single use) only that long, in memory of
 * a bounded size (single-use.ts).
 */
import { ServerError } from '../errors';
import { RemoteJwks } from './remote-jwks';
import { SingleUse } from './single-use';
import { ClientFacts } from './token-reads';

/** Longest accepted client assertion lifetime (exp - now), in seconds. */
export const ASSERTION_MAX_SECONDS = 300;

/** Clock skew allowed between the client and this server on `exp`, `nbf` and `iat` (oidc-provider's default). */
export const CLOCK_TOLERANCE_SECONDS = 15;

/** Asymmetric algorithms a client may sign with (oidc-provider's defaults, less HS256: no client_secret_jwt). */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'];

/** jtis remembered at most (single-use.ts). */
export const MAX_REMEMBERED_ASSERTIONS = 100_000;

const invalidClient = (description: string) => new ServerError(401, 'invalid_client', description);

export class ClientAssertions {
  /** `iss` + `jti` of every assertion accepted and still live. */
  private readonly used = new SingleUse(MAX_REMEMBERED_ASSERTIONS, CLOCK_TOLERANCE_SECONDS);
  private readonly remote = new RemoteJwks();

  /**
   * @param audiences what `aud` may be: the issuer and the token endpoint's URL
   * @param now this server's clock (ms)
   */
  constructor(
    private readonly audiences: ReadonlySet<string>,
    private readonly now: () => number,
  ) {}

  /** Resolves when `assertion` authenticates the client of `facts`; throws `invalid_client` saying what is wrong otherwise. */
  async verify(assertion: string, facts: ClientFacts): Promise<void> {
    const { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } = await import('jose');
    const { client } = facts;
    let header: { alg?: string };
    let payload: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(assertion);
      payload = decodeJwt(assertion);
    } catch (error) {
      throw invalidClient(`the client assertion cannot be read: ${(error as Error).message}`);
    }
    if (typeof header.alg !== 'string' || !ASSERTION_ALGORITHMS.includes(header.alg)) {
      throw invalidClient(`the client assertion's alg must be one of ${ASSERTION_ALGORITHMS.join(', ')}`);
    }
    if (payload.exp === undefined) throw invalidClient('the client assertion must carry exp (its expiry)');
    if (!payload.jti) throw invalidClient('the client assertion must carry a unique jti');
    if (payload.iss !== client.clientId) throw invalidClient(`the client assertion's iss must be the client id, '${client.clientId}'`);
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some(aud => typeof aud === 'string' && this.audiences.has(aud))) {
      throw invalidClient(`the client assertion's aud must be this server's issuer or token endpoint: ${[...this.audiences].join(' or ')}`);
    }
    const keys = client.jwks ? createLocalJWKSet(client.jwks as never) : await this.remote.at(client.jwksUri!);
    try {
      await jwtVerify(assertion, keys, { algorithms: ASSERTION_ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_SECONDS, currentDate: new Date(this.now()) });
    } catch (error) {
      throw invalidClient(`the client assertion does not verify against the client's registered keys: ${(error as Error).message}`);
    }
    if (typeof payload.exp !== 'number' || payload.exp - this.now() / 1000 > ASSERTION_MAX_SECONDS) {
      throw invalidClient(`the client assertion must expire within ${ASSERTION_MAX_SECONDS} seconds`);
    }
    this.used.use(`${payload.iss}\u0000${payload.jti}`, (payload.exp + CLOCK_TOLERANCE_SECONDS) * 1000, this.now(), () =>
      invalidClient('the client assertion was used before: sign a new one, with a new jti, for each request'),
    );
  }
}
