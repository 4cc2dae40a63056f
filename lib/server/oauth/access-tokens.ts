/**
 * Access tokens as RFC 9068 JWTs, signed with the signing key in force
 * (signing-keys.ts), with the header and claims oidc-provider 9 writes for a
 * JWT access token (`typ: at+jwt`, `kid`; `jti`, `sub`, `iat`, `exp`,
 * `scope`, `client_id`, `iss`, `aud`; the differential suite compares them),
 * and our credential-generation claim.
 *
 * Signed with node:crypto's one-shot `sign`, not WebCrypto through jose: on
 * this machine (2026-11-29) jose's asynchronous ECDSA signature cost the event
 * loop about 60 µs a token, the one-shot call about 30 µs.
 */
import { createPrivateKey, KeyObject, randomUUID, sign } from 'node:crypto';
import { SigningKeys, SigningJwk } from '../signing-keys';
import { credentialGeneration, GENERATION_CLAIM } from './credential-generation';

/** The `aud` of every access token: the one resource server (audience) they are for. */
export const AUDIENCE = 'urn:procurement-scopes:api';

export interface IssuedToken {
  /** The compact JWT. */
  value: string;
  jti: string;
}

export interface TokenRequestOutcome {
  clientId: string;
  granted: readonly string[];
  expiresIn: number;
  /** The hash the client authenticated against (its generation goes into the token); null for private_key_jwt. */
  secretHash: string | null;
}

export class AccessTokens {
  private key: { kid: string; object: KeyObject } | null = null;

  constructor(
    private readonly issuer: string,
    private readonly signingKeys: SigningKeys,
  ) {}

  issue({ clientId, granted, expiresIn, secretHash }: TokenRequestOutcome): IssuedToken {
    const { kid, object } = this.signingKey();
    const iat = Math.floor(Date.now() / 1000);
    // Unique, not secret: randomUUID draws from a cached pool (randomBytes per token was 4% of the server's CPU).
    const jti = randomUUID();
    const payload = {
      ...(secretHash ? { [GENERATION_CLAIM]: credentialGeneration(secretHash) } : {}),
      jti,
      sub: clientId,
      iat,
      exp: iat + expiresIn,
      ...(granted.length > 0 ? { scope: granted.join(' ') } : {}),
      client_id: clientId,
      iss: this.issuer,
      aud: AUDIENCE,
    };
    const input = `${base64url({ alg: 'ES256', typ: 'at+jwt', kid })}.${base64url(payload)}`;
    const signature = sign('sha256', Buffer.from(input), { key: object, dsaEncoding: 'ieee-p1363' });
    return { value: `${input}.${signature.toString('base64url')}`, jti };
  }

  /** The signing key in force as a KeyObject, imported once per key. */
  private signingKey(): { kid: string; object: KeyObject } {
    const jwk: SigningJwk = this.signingKeys.inForce().signing;
    if (this.key?.kid !== jwk.kid) this.key = { kid: jwk.kid, object: createPrivateKey({ key: jwk as never, format: 'jwk' }) };
    return this.key;
  }
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
