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
  return createHash('sha256').update(secretHash).digest('base64url').slice(0, 22);
}
