/**
 * `verify` and `rotate-secret` against the REAL embedded server. The objects
 * of a hand-written cdk.tf.json are created through the admin API (as the
 * provider would), with the secrets written to a SecretStore dir; then grants
 * are broken out of band and verify must name the client and the scope.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../../lib/client/secret-store';
import { stackSecretsDir } from '../../lib/client/secrets-layout';
import { loadDeclaredModel } from '../../lib/verify/terraform-config';
import { TokenClient } from '../../lib/verify/token-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');
const CONFIG = join(__dirname, 'fixtures', 'cdk.tf.json');

let server: EmbeddedServer;
/** PROCUREMENT_SECRETS_DIR: the root, with one directory per stack and server. */
let secretsDir: string;
/** The fixture's stack: the name of the directory of CONFIG, as the provider names it. */
const STACK = 'fixtures';
/** That stack's directory on the server under the root. */
const stackDir = () => stackSecretsDir({ root: secretsDir, stack: STACK, serverUrl: server.url });

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: testEnvironment({ PROCUREMENT_URL: server.url, PROCUREMENT_SECRETS_DIR: secretsDir, ...env }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const verify = (...args: string[]) => cli(['verify', '--config', CONFIG, ...args]);

beforeAll(async () => {
  // The fixture grants po.create (high) with no expiry: these tests are about verify, not the policy.
  server = await startServer({ policy: { environment: 'dev', severities: { 'TIME-BOUND-HIGH-RISK': 'off' } } });
  secretsDir = mkdtempSync(join(tmpdir(), 'verify-secrets-'));
  // Create what the code declares, in dependency order, keeping each client's secret as the provider does.
  const { model } = loadDeclaredModel(CONFIG);
  const secrets = new SecretStore(stackDir());
  for (const scope of model.scopes) await server.admin.put('scopes', scope, scope.name);
  for (const role of model.roles) await server.admin.put('roles', role, role.name);
  for (const client of model.clients) {
    const { clientSecret } = await server.admin.put('clients', client, client.clientId);
    secrets.save(client.clientId, clientSecret!);
  }
  for (const binding of model.roleBindings) await server.admin.put('role-bindings', binding, binding.name);
});

afterAll(async () => {
  await server?.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

describe('procurement-scopes verify', () => {
  test('passes when the server grants exactly what the code declares (expired grants included)', () => {
    const { status, stdout } = verify();
    expect(stdout).toContain('✓ erp-sync: match');
    // The approver grant to erp-sync expired in 2020: neither side counts it.
    expect(stdout).toMatch(/✓ erp-sync: match\n {4}asked: catalog\.read po\.create\n {4}got: {3}catalog\.read po\.create\n {4}other scopes the code defines: 3 refused as expected\n/);
    expect(stdout).toContain('✓ helpdesk: match\n    asked: ticket.comment ticket.write');
    expect(stdout).toContain('✓ All 3 clients get exactly the scopes the code declares');
    expect(status).toBe(0);
  });

  test('fails when a grant is removed out of band, naming client and scope', async () => {
    const buyer = (await server.admin.get('roles', 'buyer'))!.value;
    await server.admin.put('roles', { ...buyer, scopes: ['catalog.read'] }, 'buyer');
    try {
      const { status, stdout } = verify();
      expect(status).toBe(4);
      expect(stdout).toContain('✗ erp-sync: MISMATCH');
      expect(stdout).toContain("✗ client 'erp-sync': scope po.create is declared by the code but refused by the server");
      expect(stdout).toContain('✓ approval-bot: match');
      expect(stdout).toContain('✗ 1 client of 3 does not match the code: erp-sync (-po.create)');
    } finally {
      await server.admin.put('roles', buyer, 'buyer');
    }
  });

  test('fails when the server grants more than the code declares', async () => {
    const binding = (await server.admin.get('role-bindings', 'approver-grants'))!.value;
    await server.admin.put('role-bindings', { ...binding, subjects: [...binding.subjects, { clientId: 'helpdesk', expiresAt: null, justification: null }] }, 'approver-grants');
    try {
      const { status, stdout } = verify('--client', 'helpdesk');
      expect(status).toBe(4);
      expect(stdout).toContain("✗ client 'helpdesk': scope po.approve is granted by the server but not declared by the code");
      expect(stdout).not.toContain('erp-sync');
    } finally {
      await server.admin.put('role-bindings', binding, 'approver-grants');
    }
  });

  test('says how to get a secret when one is not on hand', () => {
    const { status, stdout } = verify('--client', 'helpdesk', '--secrets-dir', join(secretsDir, 'empty'));
    expect(status).toBe(2);
    expect(stdout).toContain('? helpdesk: not verified');
    expect(stdout).toContain("'npx procurement-scopes rotate-secret helpdesk --secrets-dir");
    expect(verify('--client', 'helpdesk', '--secrets-dir', join(secretsDir, 'empty'), '--skip-missing-secrets').status).toBe(0);
  });

  test('names a secret an earlier version left in the shared directory, and where to move it', () => {
    new SecretStore(secretsDir).save('helpdesk', 'from-an-earlier-version');
    try {
      const { status, stderr } = verify('--client', 'helpdesk');
      expect(status).toBe(0); // the stack's own secret is found; the old file is named, never used
      expect(stderr.replace(/\s+/g, ' ')).toContain(
        `note: 1 client secret(s) in ${secretsDir} (helpdesk) were written by an earlier version, which kept every stack's secrets there; ` +
          `they are kept per stack and server now (this one's: ${stackDir()}). Move each file into ${join(secretsDir, '<stack>', '<server>')}`,
      );
    } finally {
      new SecretStore(secretsDir).remove('helpdesk');
    }
  });

  test('fails when --client names a client the code does not declare', () => {
    const { status, stderr } = verify('--client', 'nobody');
    expect(status).toBe(2);
    expect(stderr).toContain('nobody not declared in');
  });

  test('fails with exit 3 when the server cannot be reached', () => {
    const { status, stderr } = verify('--url', 'http://127.0.0.1:9');
    expect(status).toBe(3);
    expect(stderr).toMatch(/cannot reach the authorization server at http:\/\/127\.0\.0\.1:9.*start it with 'npx procurement-scopes server'/);
  });
});

describe('procurement-scopes rotate-secret', () => {
  const adminEnv = () => ({ PROCUREMENT_ADMIN_TOKEN: server.adminToken });

  test('writes the new secret to the secrets dir; the old one stops working and verify still passes', async () => {
    const store = new SecretStore(stackDir());
    const old = store.load('approval-bot')!.clientSecret;
    const { status, stdout } = cli(['rotate-secret', 'approval-bot', '--stack', STACK], adminEnv());
    expect(status).toBe(0);
    expect(stdout).toContain(`rotated the secret of client 'approval-bot'; the new secret is in ${stackDir()}`);
    expect(stdout).not.toContain(store.load('approval-bot')!.clientSecret);
    expect(store.load('approval-bot')!.clientSecret).not.toBe(old);
    expect(statSync(join(stackDir(), 'approval-bot.json')).mode & 0o777).toBe(0o600);
    const tokens = await TokenClient.discover(server.url);
    expect(await tokens.request('approval-bot', old, ['po.approve'])).toMatchObject({ ok: false, error: 'invalid_client' });
    expect(verify('--client', 'approval-bot').status).toBe(0);
  });

  test('prints the secret once to stdout when there is no secrets dir, with a note on stderr', async () => {
    const { status, stdout, stderr } = cli(['rotate-secret', 'helpdesk', '--admin-token-file', join(server.dataDir, 'admin-token')], { PROCUREMENT_SECRETS_DIR: '' });
    expect(status).toBe(0);
    expect(stderr).toContain('it is shown once');
    const secret = stdout.trim();
    const tokens = await TokenClient.discover(server.url);
    expect(await tokens.request('helpdesk', secret, ['ticket.write'])).toMatchObject({ ok: true, scopes: ['ticket.write'] });
    // The stored secret is now stale: verify says so and names the client.
    const { status: verifyStatus, stdout: report } = verify('--client', 'helpdesk');
    expect(verifyStatus).toBe(4);
    expect(report).toContain("client 'helpdesk': the server rejects its credentials (invalid_client");
    new SecretStore(stackDir()).save('helpdesk', secret);
  });

  test('under PROCUREMENT_SECRETS_DIR, asks for the stack before rotating anything', async () => {
    const { status, stderr } = cli(['rotate-secret', 'helpdesk'], adminEnv());
    expect(status).toBe(2);
    expect(stderr).toContain(`PROCUREMENT_SECRETS_DIR (${secretsDir}) holds one directory per stack and server: name the client's stack with --stack <name>`);
    const tokens = await TokenClient.discover(server.url);
    expect(await tokens.request('helpdesk', new SecretStore(stackDir()).load('helpdesk')!.clientSecret, ['ticket.write'])).toMatchObject({ ok: true });
  });

  test('fails when the admin token is missing or the client unknown', () => {
    expect(cli(['rotate-secret', 'helpdesk']).stderr).toContain('no admin token: set PROCUREMENT_ADMIN_TOKEN or pass --admin-token-file');
    const unknown = cli(['rotate-secret', 'nobody', '--stack', STACK], adminEnv());
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(`no client 'nobody' on the server at ${server.url}`);
    const wrong = cli(['rotate-secret', 'helpdesk', '--stack', STACK], { PROCUREMENT_ADMIN_TOKEN: 'not-the-token' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('refused the admin token');
    expect(existsSync(join(stackDir(), 'nobody.json'))).toBe(false);
  });
});
