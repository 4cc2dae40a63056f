/**
 * Client secrets kept per stack and per server under one PROCUREMENT_SECRETS_DIR, with the real terraform and
 * three real servers: a dev and a prod stack that declare the same client ids (as the starter's do), and a second
 * checkout's dev stack applied to a server of its own (a developer's beside the team's), each applied in its own
 * directory (cdktf.out/stacks/<stack>). They keep their secrets in <root>/<stack>/<host>_<port>, and `verify` and
 * `rotate-secret` of each find their own. With one directory per stack, the second dev apply overwrote the first's
 * secret, and verify of the first dev failed with invalid_client; with one shared directory, prod did too.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serverDirName, stackSecretsDir } from '../../lib/client/secrets-layout';
import { installProvider } from '../../lib/provider/install/install-provider';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';
import { bundleProvider, expectExit, flat, requireTerraform } from '../support/terraform';

jest.setTimeout(300_000);

const BIN = resolve(__dirname, '../../bin/procurement-scopes.js');

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

/** A stack applied somewhere: the checkout it is synthesized in, its name, and the server it is applied to. */
interface Deployment {
  checkout: string;
  stack: string;
  server: EmbeddedServer;
}

describe('stacks with the same client ids, on several servers, under one PROCUREMENT_SECRETS_DIR', () => {
  const servers: EmbeddedServer[] = [];
  let root: string;
  let secrets: string;
  let configFile: string;
  let deployments: Record<'dev' | 'prod' | 'otherDev', Deployment>;

  beforeAll(async () => {
    requireTerraform();
    root = mkdtempSync(join(tmpdir(), 'secrets-per-stack-'));
    secrets = join(root, '.procurement', 'secrets');
    configFile = installProvider({ configFile: join(root, 'terraform.rc'), bundlePath: bundleProvider() }).configFile;
    for (let i = 0; i < 3; i++) servers.push(await startServer());
    deployments = {
      dev: { checkout: join(root, 'team'), stack: 'dev', server: servers[0] },
      prod: { checkout: join(root, 'team'), stack: 'prod', server: servers[1] },
      otherDev: { checkout: join(root, 'mine'), stack: 'dev', server: servers[2] },
    };
    // Each stack applied in turn, as a team and a developer would; the tests then read what the applies left.
    for (const deployment of Object.values(deployments)) {
      mkdirSync(stackDir(deployment), { recursive: true });
      writeFileSync(join(stackDir(deployment), 'cdk.tf.json'), JSON.stringify(configuration));
      const tf = terraform(deployment);
      expectExit(await tf.run(['init', '-input=false', '-no-color'], { quiet: true }), 0);
      expectExit(await tf.run(['apply', '-input=false', '-no-color', '-auto-approve'], { quiet: true }), 0);
    }
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Where the stack is synthesized, and terraform runs. */
  const stackDir = ({ checkout, stack }: Deployment) => join(checkout, 'cdktf.out', 'stacks', stack);
  const terraform = (deployment: Deployment) =>
    new TerraformCli({
      cwd: stackDir(deployment),
      baseEnv: testEnvironment(),
      env: { TF_CLI_CONFIG_FILE: configFile, PROCUREMENT_URL: deployment.server.url, PROCUREMENT_ADMIN_TOKEN: deployment.server.adminToken, PROCUREMENT_SECRETS_DIR: secrets },
    });
  const dirOf = ({ stack, server }: Deployment) => stackSecretsDir({ root: secrets, stack, serverUrl: server.url });
  const secretOf = (deployment: Deployment) => (JSON.parse(readFileSync(join(dirOf(deployment), 'desk-bot.json'), 'utf8')) as { clientSecret: string }).clientSecret;
  const cli = (deployment: Deployment, ...args: string[]) =>
    promisify(execFile)(process.execPath, [BIN, ...args], {
      env: testEnvironment({ PROCUREMENT_URL: deployment.server.url, PROCUREMENT_ADMIN_TOKEN: deployment.server.adminToken, PROCUREMENT_SECRETS_DIR: secrets }),
    });
  const verify = (deployment: Deployment) => cli(deployment, 'verify', '--synth-dir', join(deployment.checkout, 'cdktf.out'), '--stack', deployment.stack);

  test('each keeps its secrets in the directory of its stack on its server; verify and rotate-secret of each find their own', async () => {
    expect(readdirSync(join(secrets, 'dev')).sort()).toEqual([serverDirName(servers[0].url), serverDirName(servers[2].url)].sort());
    expect(readdirSync(join(secrets, 'prod'))).toEqual([serverDirName(servers[1].url)]);
    const all = Object.values(deployments).map(secretOf);
    expect(new Set(all).size).toBe(3);

    for (const deployment of Object.values(deployments)) expect((await verify(deployment)).stdout).toContain('✓ desk-bot: match');

    // A rotation on the second dev server lands in its directory; the first dev server's secret still works.
    const rotated = await cli(deployments.otherDev, 'rotate-secret', 'desk-bot', '--stack', 'dev');
    expect(rotated.stdout).toContain(`the new secret is in ${dirOf(deployments.otherDev)}`);
    expect(secretOf(deployments.otherDev)).not.toBe(all[2]);
    expect(secretOf(deployments.dev)).toBe(all[0]);
    for (const deployment of [deployments.dev, deployments.otherDev]) expect((await verify(deployment)).stdout).toContain('✓ desk-bot: match');
  });

  test('the previous layout (one directory per stack) is moved on first use, by the provider as by verify, and said so', async () => {
    const dir = dirOf(deployments.prod);
    const secret = secretOf(deployments.prod);
    /** prod as an earlier version left it: its secret directly in <root>/prod. */
    const previousLayout = () => {
      renameSync(join(dir, 'desk-bot.json'), join(secrets, 'prod', 'desk-bot.json'));
      rmdirSync(dir);
    };
    const moved = `moved 1 client secret(s) (desk-bot) from ${join(secrets, 'prod')}`;

    previousLayout();
    const plan = await terraform(deployments.prod).run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], { quiet: true });
    expectExit(plan, 0);
    // A warning of the provider's configuration: Terraform shows it with the plan.
    expect(flat(plan.stdout + plan.stderr)).toMatch(/Warning: Client secrets of an earlier version with provider\["registry\.terraform\.io\/procurement-scopes\/procurement"\]/);
    expect(flat(plan.stdout + plan.stderr)).toContain(`${moved}, where an earlier version kept the stack's secrets whatever the server, into ${dirOf(deployments.prod)}`);
    expect(secretOf(deployments.prod)).toBe(secret);

    previousLayout();
    const { stdout, stderr } = await verify(deployments.prod);
    expect(stdout).toContain('✓ desk-bot: match');
    expect(flat(stderr)).toContain(`note: ${moved}`);
    expect(secretOf(deployments.prod)).toBe(secret);
  });
});
