/**
 * When Terraform looks for our provider in a registry, because no CLI
 * configuration points it at the mirror or the mirror it names is gone, the
 * failure the project reports names install-provider. Real terraform, on a
 * closed network: the registry lookup fails as it does for a newcomer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installProvider } from '../../lib/provider/install/install-provider';
import { registryHint } from '../../lib/terraform/registry-hint';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { VERSION } from '../../lib/version';
import { testEnvironment } from '../support/environment';
import { bundleProvider, requireTerraform } from '../support/terraform';

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
    expect(message).toContain('Terraform looked for procurement-scopes/procurement in a registry: it is installed from a local mirror instead.');
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
});
