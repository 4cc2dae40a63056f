/**
 * What the schema cannot see in a client's JWKS (schemas.ts checks the
 * shape): every key must load as a public key of a usable strength, and kids
 * must tell the keys apart, since a token request names its key by kid.
 */
import { createPublicKey } from 'node:crypto';
import { Client } from './types';
import type { Problem } from './validate';

const RSA_MIN_BITS = 2048;

export function unusableKeys(client: Client): Problem[] {
  const problems: Problem[] = [];
  const kids = new Set<string>();
  (client.jwks?.keys ?? []).forEach((jwk, index) => {
    const path = ['jwks', 'keys', index];
    const field = `jwks.keys[${index}]`;
    try {
      const key = createPublicKey({ key: jwk as never, format: 'jwk' });
      const bits = key.asymmetricKeyDetails?.modulusLength;
      if (bits !== undefined && bits < RSA_MIN_BITS) problems.push({ path, field, message: `is an RSA key of ${bits} bits: use at least ${RSA_MIN_BITS}` });
    } catch (e) {
      problems.push({ path, field, message: `is not a usable public key (${(e as Error).message.slice(0, 120)}): check its x, y, n, e and crv` });
    }
    if (jwk.kid === undefined && client.jwks!.keys.length > 1) {
      problems.push({ path: [...path, 'kid'], field: `${field}.kid`, message: 'is required when the JWKS holds more than one key: token requests name their key by kid' });
    } else if (jwk.kid !== undefined && kids.has(jwk.kid)) {
      problems.push({ path: [...path, 'kid'], field: `${field}.kid`, message: `'${jwk.kid}' names two keys: give each key its own kid` });
    }
    if (jwk.kid !== undefined) kids.add(jwk.kid);
  });
  return problems;
}
