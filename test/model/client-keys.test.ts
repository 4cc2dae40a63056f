/** A client's public keys (private_key_jwt): strictly public, bounded, usable, one source. */
import { generateKeyPairSync } from 'node:crypto';
import { ModelValidator, clientAuthentication } from '../../lib/model';
import { LIMITS } from '../../lib/model/schemas';

const validator = new ModelValidator();
const base = { clientId: 'erp', displayName: 'ERP', owner: 'team-erp' };
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pub = { ...publicKey.export({ format: 'jwk' }), kid: 'erp-1', alg: 'ES256', use: 'sig' };

function problems(client: object): string[] {
  const result = validator.validate('clients', { ...base, ...client });
  return result.ok ? [] : result.problems.map(p => (p.field ? `${p.field}: ${p.message}` : p.message));
}

test('a client with a public JWKS or a JWKS URI is valid and authenticates with private_key_jwt; without either, with a secret', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const inline = validator.validate('clients', { ...base, jwks: { keys: [pub, { ...rsa, kid: 'r' }, { ...ed, kid: 'e' }] } });
  expect(inline.ok).toBe(true);
  expect(inline.ok && clientAuthentication(inline.value)).toBe('private_key_jwt');
  const uri = validator.validate('clients', { ...base, jwksUri: 'https://erp.example.com/.well-known/jwks.json' });
  expect(uri.ok && clientAuthentication(uri.value)).toBe('private_key_jwt');
  const secret = validator.validate('clients', base);
  expect(secret.ok && clientAuthentication(secret.value)).toBe('client_secret');
  expect(secret.ok && 'jwks' in secret.value).toBe(false);
});

test('fails when a key holds private members, naming them without echoing them', () => {
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'erp-1' } as { d: string };
  const found = problems({ jwks: { keys: [jwk] } });
  expect(found).toEqual([expect.stringMatching(/^jwks\.keys\[0\]\.d: is a private key member: a client publishes its public key only/)]);
  expect(found.join('\n')).not.toContain(jwk.d);
  expect(problems({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })).toEqual(
    expect.arrayContaining([expect.stringContaining('jwks.keys[0].kty: must be EC, RSA or OKP'), expect.stringContaining('jwks.keys[0].k: is a private key member')]),
  );
});

test('fails when both jwks and jwksUri are given, or the URI is not https', () => {
  expect(problems({ jwks: { keys: [pub] }, jwksUri: 'https://erp.example.com/jwks' })).toEqual(['give either jwks or jwksUri, not both']);
  expect(problems({ jwksUri: 'http://erp.example.com/jwks' })).toEqual([
    "jwksUri: must be an absolute https URL without a fragment, got 'http://erp.example.com/jwks'",
  ]);
});

test('fails when the set is empty or larger than the limit, a key is unusable or weak, or kids do not tell keys apart', () => {
  expect(problems({ jwks: { keys: [] } })).toEqual([expect.stringContaining('jwks.keys: must hold at least one public key')]);
  const many = Array.from({ length: LIMITS.jwksMaxKeys + 1 }, (_, i) => ({ ...pub, kid: `k${i}` }));
  expect(problems({ jwks: { keys: many } })).toEqual([expect.stringContaining(`jwks.keys: must NOT have more than ${LIMITS.jwksMaxKeys} items`)]);
  expect(problems({ jwks: { keys: [{ ...pub, x: pub.y }] } })).toEqual([expect.stringMatching(/^jwks\.keys\[0\]: is not a usable public key/)]);
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  expect(problems({ jwks: { keys: [weak] } })).toEqual(['jwks.keys[0]: is an RSA key of 1024 bits: use at least 2048']);
  expect(problems({ jwks: { keys: [pub, pub] } })).toEqual(["jwks.keys[1].kid: 'erp-1' names two keys: give each key its own kid"]);
  const { kid: _kid, ...anonymous } = pub;
  expect(problems({ jwks: { keys: [anonymous, { ...pub, kid: 'b' }] } })).toEqual([
    'jwks.keys[0].kid: is required when the JWKS holds more than one key: token requests name their key by kid',
  ]);
  expect(problems({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'not base64!' }] } })).toEqual(
    expect.arrayContaining([expect.stringContaining('jwks.keys[0].x: must be base64url'), 'jwks.keys[0].y: is required']),
  );
});
