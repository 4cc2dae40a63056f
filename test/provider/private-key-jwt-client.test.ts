/**
 * A secretless client (private_key_jwt) through the real terraform: created
 * with no secret anywhere (none delivered, none in state, none on the server),
 * its JWKS text kept as written so plans stay clean, importable, and able to
 * get a token with its own key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiError } from '../support/api-error';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { privateKeyJwtToken } from '../support/jose';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

let server: EmbeddedServer;
let dir: string;
let tf: Workspace;
const secretsDir = () => join(dir, 'secrets');

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bot-2026', alg: 'ES256', use: 'sig' };
// As a person writes it in a file: spaced, keys in no particular order.
const jwksText = JSON.stringify({ keys: [{ use: 'sig', alg: 'ES256', kid: 'bot-2026', ...publicKey.export({ format: 'jwk' }) }] }, null, 2);

const config = (extra: Record<string, unknown> = {}) => ({
  resource: {
    procurement_scope: { catalog_read: { name: 'catalog.read', description: 'Read the catalog', risk: 'low' } },
    procurement_role: { reader: { name: 'reader', description: 'Reads', scopes: ['${procurement_scope.catalog_read.name}'] } },
    procurement_client: { bot: { client_id: 'bot', display_name: 'Bot', owner: 'team', jwks: jwksText, ...extra } },
    procurement_role_binding: { readers: { name: 'readers', role: '${procurement_role.reader.name}', subject: [{ client_id: '${procurement_client.bot.client_id}' }] } },
  },
});

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'pkjwt-tf-'));
  tf = await createWorkspace({ url: server.url, adminToken: server.adminToken, provider: { secrets_dir: secretsDir() } });
  writeFileSync(join(dir, 'bot-key.json'), JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'bot-2026', alg: 'ES256' }));
  tf.writeConfig(config());
  expectExit(await tf.init(), 0);
});
afterAll(async () => {
  tf?.remove();
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

test('created with no secret delivered, in state or on the server; the plan after apply is clean; the client gets a token with its key', async () => {
  // From nothing, whichever tests ran before (and whatever configuration they left): what the apply does is a create.
  tf.writeConfig(config());
  expectExit(await tf.run('destroy', '-input=false', '-auto-approve'), 0);
  const apply = await tf.apply();
  expectExit(apply, 0);
  expect(apply.stdout + apply.stderr).not.toContain('Client secret');
  expectExit(await tf.plan(), 0);

  expect(existsSync(secretsDir()) ? readdirSync(secretsDir()) : []).toEqual([]); // nothing written: not even the directory
  const stateText = readFileSync(join(tf.dir, 'terraform.tfstate'), 'utf8');
  const [bot] = JSON.parse(stateText).resources.filter((r: { type: string }) => r.type === 'procurement_client');
  expect(Object.keys(bot.instances[0].attributes).sort()).toEqual(
    ['client_id', 'display_name', 'downstream_drift', 'external', 'grant_types', 'id', 'introspection', 'jwks', 'jwks_uri', 'owner', 'redirect_uris', 'secret_rotation_days', 'token_lifetime_seconds'],
  );
  expect(bot.instances[0].attributes.jwks).toBe(jwksText);
  expect(stateText).not.toMatch(/client_secret|"d":/);
  expect((await server.admin.get('clients', 'bot'))!.value.jwks).toEqual({ keys: [publicJwk] });
  expect((await apiError(server.admin.rotateSecret('bot'))).status).toBe(409);

  const token = await privateKeyJwtToken(`${server.url}/token`, server.url, 'bot', join(dir, 'bot-key.json'), 'catalog.read');
  expect(token).toMatchObject({ status: 200, body: { scope: 'catalog.read' } });
});

test('imports with a clean plan when the configuration writes the JWKS as jsonencode does', async () => {
  tf.writeConfig(config({ jwks: '${jsonencode(' + JSON.stringify({ keys: [publicJwk] }).replace(/"([a-z]+)":/g, '$1 = ').replace(/,/g, ', ').replace(/[{]/g, '{ ').replace(/[}]/g, ' }') + ')}' }));
  expectExit(await tf.apply(), 0);
  expectExit(await tf.run('state rm', 'procurement_client.bot'), 0);
  expectExit(await tf.run('import', '-input=false', 'procurement_client.bot', 'bot'), 0);
  expectExit(await tf.plan(), 0);
});

test('fails at plan when the JWKS holds a private key, naming the attribute and never the key', async () => {
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bot-2026' } as { d: string };
  // From a file, as a JWKS usually arrives (Terraform quotes the configuration's source line in its diagnostics).
  writeFileSync(join(tf.dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
  tf.writeConfig(config({ jwks: '${file("jwks.json")}' }));
  const plan = await tf.plan();
  expectExit(plan, 1);
  expect(plan.stderr).toContain('jwks');
  expect(plan.stderr).toContain('is a private key member');
  expect(plan.stdout + plan.stderr).not.toContain(jwk.d);
});
