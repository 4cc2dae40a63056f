/**
 * Client secrets kept per stack under one PROCUREMENT_SECRETS_DIR, with the real terraform and two real servers:
 * a dev and a prod stack that declare the same client ids (as the starter's do), each applied in its own
 * directory (cdktf.out/stacks/<stack>), keep their secrets in <root>/dev and <root>/prod, and `verify` of each
 * stack finds its own. With one shared directory the second apply overwrote the first's secrets, and verify of
 * dev failed with invalid_client.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { installProvider } from '../../lib/provider/install/install-provider';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';
import { bundleProvider, expectExit, requireTerraform } from '../support/terraform';

jest.setTimeout(300_000);

const BIN = resolve(__dirname, '../../bin/procurement-scopes.js');
const STACKS = ['dev', 'prod'] as const;

const configuration = {
  terraform: { required_providers: { procurement: { source: 'procurement-scopes/procurement', version: '~> 0.1' } } },
  provider: { procurement: [{}] },
  resource: {
    procurement_scope: { read: { name: 'ticket.read', description: 'Read tickets', risk: 'low' } },
    procurement_role: { desk: { name: 'desk', description: 'Ticket desk', scopes: ['${procurement_scope.read.name}'] } },
    procurement_client: { bot: { client_id: 'desk-bot', display_name: 'Desk bot', owner: 'service-desk' } },
    procurement_role_binding: {
      desk: { name: 'desk-grants', role: '${procurement_role.desk.name}', subject: [{ client_id: '${procurement_client.bot.client_id}', expires_at: null, justification: null }] },
    },
  },
};

describe('two stacks with the same client ids under one PROCUREMENT_SECRETS_DIR', () => {
  const servers: Partial<Record<(typeof STACKS)[number], EmbeddedServer>> = {};
  let root: string;
  let secrets: string;
  let configFile: string;

  beforeAll(async () => {
    requireTerraform();
    root = mkdtempSync(join(tmpdir(), 'secrets-per-stack-'));
    secrets = join(root, '.procurement', 'secrets');
    configFile = installProvider({ configFile: join(root, 'terraform.rc'), bundlePath: bundleProvider() }).configFile;
    for (const stack of STACKS) servers[stack] = await startServer();
  });
  afterAll(async () => {
    for (const stack of STACKS) await servers[stack]?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('each keeps its secrets in its own directory, and verify of each stack passes', async () => {
    for (const stack of STACKS) {
      const dir = join(root, 'cdktf.out', 'stacks', stack);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(configuration));
      const env = { TF_CLI_CONFIG_FILE: configFile, PROCUREMENT_URL: servers[stack]!.url, PROCUREMENT_ADMIN_TOKEN: servers[stack]!.adminToken, PROCUREMENT_SECRETS_DIR: secrets };
      const tf = new TerraformCli({ cwd: dir, baseEnv: testEnvironment(), env });
      expectExit(await tf.run(['init', '-input=false', '-no-color'], { quiet: true }), 0);
      expectExit(await tf.run(['apply', '-input=false', '-no-color', '-auto-approve'], { quiet: true }), 0);
    }
    const secretOf = (stack: string) => (JSON.parse(readFileSync(join(secrets, stack, 'desk-bot.json'), 'utf8')) as { clientSecret: string }).clientSecret;
    expect(secretOf('dev')).not.toBe(secretOf('prod'));

    for (const stack of STACKS) {
      const env = testEnvironment({ PROCUREMENT_URL: servers[stack]!.url, PROCUREMENT_SECRETS_DIR: secrets });
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'verify', '--synth-dir', join(root, 'cdktf.out'), '--stack', stack], { env });
      expect(stdout).toContain('✓ desk-bot: match');
    }
  });
});
