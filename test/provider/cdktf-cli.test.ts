/**
 * What a CDKTF user types, offline: with TF_CLI_CONFIG_FILE pointing at the
 * mirror that install-provider wrote, `cdktf deploy` applies the example
 * stack against the real embedded server and `cdktf plan` then has nothing
 * to change. (The first run has no lock file, so cdktf would ask the registry
 * for one: `--skip-provider-lock`, as README says.)
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installProvider } from '../../lib/provider/install/install-provider';
import { declaredObjects, snapshotDifferences, TerraformConfig } from '../support/declared-model';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';
import { temporaryProject } from '../support/temporary-project';
import { bundleProvider, requireTerraform } from '../support/terraform';

// cdktf deploy and plan each synthesize and start terraform: generous, for a loaded machine.
jest.setTimeout(300_000);

const run = promisify(execFile);

describe('cdktf deploy and plan through the mirror', () => {
  let server: EmbeddedServer;
  let project: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    requireTerraform();
    project = temporaryProject();
    server = await startServer();
    const install = installProvider({ configFile: join(project, '.procurement/terraform.rc'), bundlePath: bundleProvider() });
    env = testEnvironment({
      TF_CLI_CONFIG_FILE: install.configFile,
      PROCUREMENT_URL: server.url,
      PROCUREMENT_ADMIN_TOKEN: server.adminToken,
      PROCUREMENT_SECRETS_DIR: join(project, '.procurement/secrets'),
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      FORCE_COLOR: '0',
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  const cdktf = (...args: string[]) =>
    run('npx', ['--no-install', 'cdktf', ...args, '--skip-provider-lock'], { cwd: project, env, maxBuffer: 64 * 1024 * 1024 }).catch(
      (e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`cdktf ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
      },
    );

  test('deploy applies the dev stack, then plan reports no changes', async () => {
    const deploy = await cdktf('deploy', 'dev', '--auto-approve');
    const declared = declaredObjects(JSON.parse(readFileSync(join(project, 'cdktf.out/stacks/dev/cdk.tf.json'), 'utf8')) as TerraformConfig);
    expect(deploy.stdout).toContain(`Apply complete! Resources: ${declared.length} added, 0 changed, 0 destroyed`);
    const snapshot = await server.admin.snapshot();
    expect(snapshotDifferences(declared, snapshot)).toEqual([]);

    const plan = await cdktf('plan', 'dev');
    expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
    const secrets = readdirSync(env.PROCUREMENT_SECRETS_DIR!).map(
      file => (JSON.parse(readFileSync(join(env.PROCUREMENT_SECRETS_DIR!, file), 'utf8')) as { clientSecret: string }).clientSecret,
    );
    expect(secrets.length).toBe(snapshot.clients.length);
    for (const output of [deploy.stdout, deploy.stderr, plan.stdout, plan.stderr]) {
      for (const secret of [server.adminToken, ...secrets]) expect(output).not.toContain(secret);
    }
  });
});
