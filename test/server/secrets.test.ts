import { generateSecret, hashSecret, verifySecret } from '../../lib/server/secrets';

describe('client secrets', () => {
  test('verify against their salted hash, which never contains the secret', () => {
    const secret = generateSecret();
    const hash = hashSecret(secret);
    expect(hash).not.toContain(secret);
    expect(hashSecret(secret)).not.toBe(hash);
    expect(verifySecret(secret, hash)).toBe(true);
  });

  test('fails to verify a wrong secret or a malformed hash', () => {
    const hash = hashSecret('right');
    expect(verifySecret('wrong', hash)).toBe(false);
    expect(verifySecret('right', 'plain-text')).toBe(false);
  });
});
