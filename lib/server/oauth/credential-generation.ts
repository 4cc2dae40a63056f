/**
 * Ties an access token to the client secret it was obtained with. Every
 * token carries a short fingerprint of the secret's (salted) hash; rotating
 * the secret, or deleting the client and creating it again, gives a new hash,
 * so introspection reports every earlier token inactive at once. The
 * fingerprint says nothing about the secret itself.
 */
import { createHash } from 'node:crypto';

/** The JWT claim that carries the fingerprint. */
export const GENERATION_CLAIM = 'cgen';

export function credentialGeneration(secretHash: string): string {
  // A hash upgraded on use from an older scheme carries the generation of the hash it replaced (secrets.ts):
  // an upgrade is not a new credential, so the tokens issued before it stay active.
  const [scheme, , carried] = secretHash.split('$');
  if (scheme === 'hmac-sha256' && carried) return carried;
  return createHash('sha256').update(secretHash).digest('base64url').slice(0, 22);
}
