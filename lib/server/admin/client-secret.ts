/**
 * Which credential a client has follows from what it declares: a client with
 * public keys (jwks or jwksUri) authenticates with private_key_jwt and has no
 * secret at all; any other client has a server-issued secret.
 */
import { Client, clientAuthentication } from '../../model/types';
import { ClientSecrets, generateSecret } from '../secrets';
import { ClientSecretHashes } from '../store/store';

/** Deletes the secret of a client that now has keys, or issues one to a client that has just come to need it; answers a secret issued. */
export async function settleClientSecret(
  store: ClientSecretHashes,
  secrets: ClientSecrets,
  clientId: string,
  before: Client | undefined,
  after: Client,
): Promise<string | undefined> {
  if (clientAuthentication(after) === 'private_key_jwt') {
    await store.deleteSecretHash(clientId);
    return undefined;
  }
  if (before && clientAuthentication(before) === 'client_secret') return undefined;
  const clientSecret = generateSecret();
  await store.setSecretHash(clientId, secrets.hash(clientSecret));
  return clientSecret;
}
