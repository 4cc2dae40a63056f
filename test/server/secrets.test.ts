/** Client secrets: HMAC-SHA-256 under the store's server key; scrypt hashes from before keep verifying and are upgraded on use. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialGeneration } from '../../lib/server/oauth/credential-generation';
import { ClientSecrets, generateSecret } from '../../lib/server/secrets';
import { SqliteStore } from '../../lib/server/store/sqlite-store';

/** Written by the scrypt hashing of releases before HMAC (N=2^10, r=8, p=1), for this secret. */
const LEGACY_SECRET = 'legacy-secret-hashed-before-hmac-0123456789abcdef';
const LEGACY_HASH = 'scrypt$1024$8$1$S4aVqU4JE-gUO6KKQRUxOw$ZzYKjs0zZ2FIMuHJSwq2qt1hOZV6_CEm_6zrdUudwjY';

let dirs: string[] = [];
let stores: SqliteStore[] = [];
async function openStore(dir = mkdtempSync(join(tmpdir(), 'secrets-'))): Promise<SqliteStore> {
  dirs.push(dir);
  const store = await SqliteStore.open(dir);
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const store of stores) await store.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  stores = [];
  dirs = [];
  jest.restoreAllMocks();
});

describe('client secrets', () => {
  test('verify against their keyed hash, which never contains the secret', async () => {
    const secrets = await ClientSecrets.open(await openStore());
    const secret = generateSecret();
    const hash = secrets.hash(secret);
    expect(hash).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(secret);
    expect(await secrets.verify('erp', secret, hash)).toBe(true);
  });

  test('every instance on one store shares the key; another store has its own', async () => {
    const store = await openStore();
    const first = await ClientSecrets.open(store);
    const hash = first.hash('a-secret');
    expect(await (await ClientSecrets.open(store)).verify('erp', 'a-secret', hash)).toBe(true);
    expect(await (await ClientSecrets.open(await openStore())).verify('erp', 'a-secret', hash)).toBe(false);
  });

  test('fails to verify a wrong secret or a malformed hash', async () => {
    const secrets = await ClientSecrets.open(await openStore());
    const hash = secrets.hash('right');
    expect(await secrets.verify('erp', 'wrong', hash)).toBe(false);
    expect(await secrets.verify('erp', 'right', 'plain-text')).toBe(false);
    expect(await secrets.verify('erp', 'right', 'hmac-sha256$')).toBe(false);
    expect(await secrets.verify('erp', 'right', 'scrypt$1024$8$1$')).toBe(false);
  });

  test('a wrong secret of any shape is MACed and compared whole (no early exit)', async () => {
    const secrets = await ClientSecrets.open(await openStore());
    const secret = generateSecret();
    const hash = secrets.hash(secret);
    // The module object itself (what the code under test calls through), not an import's read-only namespace.
    const compare = jest.spyOn(require('node:crypto') as typeof import('node:crypto'), 'timingSafeEqual');
    const wrong = [`x${secret.slice(1)}`, `${secret.slice(0, -1)}x`, secret.slice(0, 5), `${secret}${secret}`, ''];
    for (const presented of wrong) expect(await secrets.verify('erp', presented, hash)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(wrong.length);
    for (const [actual, expected] of compare.mock.calls) expect([(actual as Buffer).length, (expected as Buffer).length]).toEqual([32, 32]);
  });

  test('how much of a wrong secret is right does not show in the time taken', async () => {
    const secrets = await ClientSecrets.open(await openStore());
    const secret = generateSecret();
    const hash = secrets.hash(secret);
    const candidates = { right: secret, firstWrong: `x${secret.slice(1)}`, lastWrong: `${secret.slice(0, -1)}x` };
    const times: Record<string, number[]> = { right: [], firstWrong: [], lastWrong: [] };
    // Interleaved, so that a machine whose speed drifts moves all three alike; medians, so that a pause moves none.
    for (let round = 0; round < 2_000; round++) {
      for (const [name, presented] of Object.entries(candidates)) {
        const start = process.hrtime.bigint();
        await secrets.verify('erp', presented, hash);
        times[name].push(Number(process.hrtime.bigint() - start));
      }
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const right = median(times.right);
    // Generous bounds: an early exit would make the first-wrong case a fraction of the others, not within 2x.
    for (const name of ['firstWrong', 'lastWrong']) {
      expect(median(times[name]) / right).toBeGreaterThan(0.5);
      expect(median(times[name]) / right).toBeLessThan(2);
    }
  });

  describe('a scrypt hash stored before HMAC', () => {
    test('still verifies, and is upgraded to HMAC on first use, keeping its credential generation', async () => {
      const store = await openStore();
      await store.setSecretHash('erp', LEGACY_HASH);
      const secrets = await ClientSecrets.open(store);
      expect(await secrets.verify('erp', LEGACY_SECRET, LEGACY_HASH)).toBe(true);
      const upgraded = (await store.secretHash('erp'))!;
      expect(upgraded).toMatch(/^hmac-sha256\$/);
      // Tokens issued before the upgrade carry this generation: they stay active at introspection.
      expect(credentialGeneration(upgraded)).toBe(credentialGeneration(LEGACY_HASH));
      expect(await secrets.verify('erp', LEGACY_SECRET, upgraded)).toBe(true);
      expect(await secrets.verify('erp', 'wrong', upgraded)).toBe(false);
    });

    test('is not upgraded by a wrong secret', async () => {
      const store = await openStore();
      await store.setSecretHash('erp', LEGACY_HASH);
      const secrets = await ClientSecrets.open(store);
      expect(await secrets.verify('erp', 'wrong', LEGACY_HASH)).toBe(false);
      expect(await store.secretHash('erp')).toBe(LEGACY_HASH);
    });

    test('an upgrade never undoes a rotation that happened meanwhile', async () => {
      const store = await openStore();
      const secrets = await ClientSecrets.open(store);
      const rotated = secrets.hash(generateSecret());
      await store.setSecretHash('erp', rotated);
      // The request read the old hash before the rotation and verifies against it now.
      expect(await secrets.verify('erp', LEGACY_SECRET, LEGACY_HASH)).toBe(true);
      expect(await store.secretHash('erp')).toBe(rotated);
    });
  });

  test('two new secrets never share a credential generation', async () => {
    const secrets = await ClientSecrets.open(await openStore());
    expect(credentialGeneration(secrets.hash(generateSecret()))).not.toBe(credentialGeneration(secrets.hash(generateSecret())));
  });
});
