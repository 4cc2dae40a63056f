/**
 * The key that signs access tokens: an EC P-256 (ES256) private JWK, created
 * on first start and kept in `<dataDir>/signing-key.json` (mode 0600) so that
 * tokens issued before a restart still verify after it. The public half is
 * published as the JWKS.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export const SIGNING_ALG = 'ES256';

export function loadOrCreateSigningKey(dataDir: string): SigningJwk {
  const file = join(dataDir, 'signing-key.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SigningJwk;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: SIGNING_ALG, use: 'sig' } as SigningJwk;
  writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  return jwk;
}

export function publicJwk({ d: _private, ...rest }: SigningJwk): Omit<SigningJwk, 'd'> {
  return rest;
}
