/**
 * `verify` for a client that authenticates with private_key_jwt, against the
 * REAL server through the built executable: without its private key it is
 * reported as not verified and told how; with it (JWK or PEM) the real token
 * is compared with the code; a wrong key is a refusal. No secrets dir needed.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeclaredModel } from '../../lib/verify/terraform-config';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');
let server: EmbeddedServer;
let dir: string;

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function verify(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'verify', '--config', join(dir, 'cdk.tf.json'), ...args], {
    encoding: 'utf8',
    env: testEnvironment({ PROCUREMENT_URL: server.url }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'verify-pkjwt-'));
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'bot-1', alg: 'ES256', use: 'sig' }] };
  writeFileSync(
    join(dir, 'cdk.tf.json'),
    JSON.stringify({
      resource: {
        procurement_scope: {
          read: { name: 'catalog.read', description: 'Read the catalog', risk: 'low', external: false, implies: [] },
          write: { name: 'catalog.write', description: 'Write the catalog', risk: 'low', external: false, implies: [] },
        },
        procurement_role: { reader: { name: 'reader', description: 'Reads', scopes: ['${procurement_scope.read.name}'] } },
        procurement_client: {
          bot: {
            client_id: 'bot', display_name: 'Bot', owner: 'team', external: false, grant_types: ['client_credentials'], redirect_uris: [],
            token_lifetime_seconds: 3600, secret_rotation_days: 90, jwks: JSON.stringify(jwks),
          },
        },
        procurement_role_binding: { readers: { name: 'readers', role: '${procurement_role.reader.name}', subject: [{ client_id: '${procurement_client.bot.client_id}' }] } },
      },
    }),
  );
  const { model } = loadDeclaredModel(join(dir, 'cdk.tf.json'));
  for (const scope of model.scopes) await server.admin.put('scopes', scope, scope.name);
  for (const role of model.roles) await server.admin.put('roles', role, role.name);
  for (const client of model.clients) expect((await server.admin.put('clients', client, client.clientId)).clientSecret).toBeUndefined();
  for (const binding of model.roleBindings) await server.admin.put('role-bindings', binding, binding.name);
  writeFileSync(join(dir, 'bot.jwk.json'), JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'bot-1', alg: 'ES256' }));
  writeFileSync(join(dir, 'bot.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(join(dir, 'other.pem'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('matches with the client\'s private key, as a JWK or a PEM, with no secrets dir at all', () => {
  for (const file of ['bot.jwk.json', 'bot.pem']) {
    const { status, stdout } = verify('--client-key', `bot=${join(dir, file)}`);
    expect(stdout).toContain('✓ bot: match\n    asked: catalog.read\n    got:   catalog.read\n    other scopes the code defines: 1 refused as expected');
    expect(status).toBe(0);
  }
});

test('reports the client as not verified without its key, saying how to give it; --skip-missing-secrets lets it pass', () => {
  const { status, stdout } = verify();
  expect(status).toBe(2);
  expect(stdout).toContain('? bot: not verified');
  expect(stdout).toContain("client 'bot' authenticates with private_key_jwt and has no secret: to verify it, give its private key with '--client-key bot=<file>'");
  expect(stdout).toContain('1 client not verified (no secret or key on hand): bot');
  expect(verify('--skip-missing-secrets').status).toBe(0);
});

test('fails when the key is not the client\'s (invalid_client), or --client-key names no such client or an unreadable key', () => {
  const wrong = verify('--client-key', `bot=${join(dir, 'other.pem')}`);
  expect(wrong.status).toBe(4);
  expect(wrong.stdout).toContain("client 'bot': the server rejects its credentials (invalid_client");
  const unknown = verify('--client-key', `erp=${join(dir, 'bot.pem')}`);
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain("--client-key erp:");
  expect(unknown.stderr).toContain("declares no client 'erp' with jwks or jwks_uri (private_key_jwt)");
  const unreadable = verify('--client-key', `bot=${join(dir, 'cdk.tf.json')}`);
  expect(unreadable.status).toBe(2);
  expect(unreadable.stderr).toContain(`--client-key bot=${join(dir, 'cdk.tf.json')}: not a private key`);
});
