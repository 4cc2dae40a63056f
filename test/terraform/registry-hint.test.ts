/**
 * When Terraform looks for our provider in a registry, because no CLI
 * configuration points it at the mirror or the mirror it names is gone, the
 * failure the project reports names install-provider: through TerraformCli
 * (main, review), `procurement-scopes terraform` and the CI scripts' init.
 * Real terraform, on a closed network: the registry lookup fails as it does
 * for a newcomer.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installProvider } from '../../lib/provider/install/install-provider';
import { registryHint } from '../../lib/terraform/registry-hint';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { VERSION } from '../../lib/version';
import { testEnvironment } from '../support/environment';
import { PROJECT_ROOT } from '../support/temporary-project';
import { bundleProvider, requireTerraform } from '../support/terraform';

const HINT = 'Terraform looked for procurement-scopes/procurement in a registry: it is installed from a local mirror instead.';
const CONFIG = { terraform: { required_providers: { procurement: { source: 'procurement-scopes/procurement', version: VERSION } } } };

describe('a registry lookup for our provider', () => {
  let dir: string;
  let stack: string;
  beforeAll(() => requireTerraform());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'registry-hint-'));
    stack = join(dir, 'stack');
    installProvider({ configFile: join(dir, 'unused.rc'), bundlePath: bundleProvider(), lockFile: join(stack, '.terraform.lock.hcl') });
    writeFileSync(join(stack, 'cdk.tf.json'), JSON.stringify(CONFIG));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const init = (env: Record<string, string>) =>
    new TerraformCli({ cwd: stack, baseEnv: testEnvironment({ HOME: dir, ...env }) }).init({ quiet: true }).then(
      () => null,
      (e: Error) => e.message,
    );

  test('with no CLI configuration, terraform init fails on the registry and the error names install-provider', async () => {
    const message = await init({});
    expect(message).toMatch(/Failed to query available provider packages/);
    expect(message).toContain(HINT);
    expect(message).toContain('npx procurement-scopes install-provider --config-file .procurement/terraform.rc');
  });

  test('with the mirror removed after install-provider, the error names install-provider too', async () => {
    const { configFile, mirrorDir } = installProvider({ configFile: join(dir, 'terraform.rc'), bundlePath: bundleProvider() });
    rmSync(mirrorDir, { recursive: true });
    const message = await init({ TF_CLI_CONFIG_FILE: configFile });
    expect(message).toContain('install-provider --config-file');
  });

  test('with the mirror in place, init succeeds; other failures get no hint', async () => {
    const { configFile } = installProvider({ configFile: join(dir, 'terraform.rc'), bundlePath: bundleProvider() });
    expect(await init({ TF_CLI_CONFIG_FILE: configFile })).toBeNull();
    writeFileSync(join(stack, 'cdk.tf.json'), '{ not json');
    const message = await init({ TF_CLI_CONFIG_FILE: configFile });
    expect(message).toMatch(/terraform init failed/);
    expect(message).not.toContain('install-provider');
    expect(registryHint('Error: Failed to query available provider packages\nprovider hashicorp/random')).toBeNull();
  });

  /** A command run to its end: exit code, stdout and stderr. */
  const run = (command: string, args: string[], cwd: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(command, args, { cwd, env: testEnvironment({ HOME: dir, PROCUREMENT_STATE_BACKEND: 'local' }) });
      let [stdout, stderr] = ['', ''];
      child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.once('error', reject);
      child.once('close', code => resolve({ code, stdout, stderr }));
    });

  test('procurement-scopes terraform init passes Terraform\'s failure on and names install-provider after it', async () => {
    const { code, stderr } = await run(process.execPath, [join(PROJECT_ROOT, 'bin', 'procurement-scopes.js'), 'terraform', 'init', '-input=false', '-no-color'], stack);
    expect(code).toBe(1);
    const flat = stderr.replace(/\s+/g, ' ');
    expect(flat).toMatch(/Failed to query available provider packages.*Terraform looked for procurement-scopes\/procurement in a registry/);
    expect(flat).toContain('npx procurement-scopes install-provider --config-file .procurement/terraform.rc');
  });

  test("the CI scripts' init (scripts/ci/common.sh) names install-provider too", async () => {
    // A stacks repository as the scripts see it: theirs, this package's CLI, and one synthesized stack.
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'cdktf.out', 'stacks'), { recursive: true });
    for (const linked of ['scripts', 'bin']) symlinkSync(join(PROJECT_ROOT, linked), join(repo, linked));
    symlinkSync(stack, join(repo, 'cdktf.out', 'stacks', 'dev'));
    const { code, stderr } = await run('bash', ['-c', 'source scripts/ci/common.sh && enter_stack dev'], repo);
    expect(code).not.toBe(0);
    expect(stderr.replace(/\s+/g, ' ')).toMatch(/Failed to query available provider packages.*Terraform looked for procurement-scopes\/procurement in a registry/);
  });
});
