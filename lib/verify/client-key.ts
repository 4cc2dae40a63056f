/**
 * The private key `verify` signs a private_key_jwt client's assertion with
 * (RFC 7523), read from a file the user names (`--client-key id=file`): a
 * private JWK (JSON) or a PKCS#8/SEC1/PKCS#1 PEM. It never leaves this process.
 */
import { KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../model/errors';

export interface ClientKey {
  key: KeyObject;
  /** The JWS algorithm: the JWK's `alg`, else the usual one for the key type. */
  alg: string;
  /** The JWK's `kid`, so the server picks the key without trying each. */
  kid?: string;
}

const ALG_OF_CURVE: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

export function loadClientKey(file: string, clientId: string): ClientKey {
  const where = `--client-key ${clientId}=${file}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${where}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const jwk = text.trimStart().startsWith('{') ? (parseJson(text, where) as { kid?: string; alg?: string }) : null;
  let key: KeyObject;
  try {
    key = jwk ? createPrivateKey({ key: jwk as never, format: 'jwk' }) : createPrivateKey(text);
  } catch (e) {
    throw new UsageError(`${where}: not a private key (${(e as Error).message}); give the client's private JWK or PEM`);
  }
  const alg = jwk?.alg ?? defaultAlg(key);
  if (!alg) throw new UsageError(`${where}: a ${key.asymmetricKeyType} key needs an "alg" in its JWK (e.g. ES256, RS256, EdDSA)`);
  return { key, alg, kid: jwk?.kid };
}

function defaultAlg(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'ec') return ALG_OF_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  return undefined;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not valid JSON (${(e as Error).message})`);
  }
}
