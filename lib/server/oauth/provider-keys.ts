/**
 * Keeps oidc-provider's keystore (which signs tokens and answers the JWKS) equal
 * to the signing keys in force (signing-keys.ts). oidc-provider reads its keys
 * once, from its configuration; it has no API to change them, so this calls its
 * own keystore initializer again, which rebuilds the keystore and the JWKS
 * answer in place. That is an internal module of oidc-provider 9: the rotation
 * tests (test/server/signing-key-rotation.test.ts) fail if it changes.
 */
import type { Provider } from 'oidc-provider';
import { SigningKeys } from '../signing-keys';

/** Answers a function to await before each OAuth request: it picks up rotations and key state changes. */
export async function providerKeysFollower(provider: Provider, keys: SigningKeys): Promise<() => Promise<void>> {
  const { default: initializeKeystore } = await import('oidc-provider/lib/helpers/initialize_keystore.js');
  let applied = keys.inForce().fingerprint;
  return async () => {
    await keys.refresh();
    const inForce = keys.inForce();
    if (inForce.fingerprint === applied) return;
    initializeKeystore.call(provider, { keys: inForce.published });
    applied = inForce.fingerprint;
  };
}
