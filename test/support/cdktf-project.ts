/**
 * The setting of a cdktf CLI test: a temporary copy of the project, a fresh
 * embedded server, the provider in a filesystem mirror, and the environment a
 * user sets (docs/provider.md: offline, no registry). Call it inside `describe`; read
 * the fields inside hooks and tests. Both are removed after the block.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { installProvider } from '../../lib/provider/install/install-provider';
import { EmbeddedServer, startServer } from './embedded-server';
import { testEnvironment } from './environment';
import { temporaryProject } from './temporary-project';
import { bundleProvider, requireTerraform } from './terraform';

export interface CdktfProject {
  server: EmbeddedServer;
  project: string;
  env: NodeJS.ProcessEnv;
}

/** `lockFileStacks`: stacks whose `.terraform.lock.hcl` install-provider writes, as the set-up in docs/provider.md does. */
export function cdktfProjectAndServer(options: { lockFileStacks?: string[] } = {}): CdktfProject {
  const fixture = {} as CdktfProject;
  beforeAll(async () => {
    requireTerraform();
    fixture.project = temporaryProject();
    fixture.server = await startServer();
    let configFile = '';
    for (const stack of options.lockFileStacks ?? [undefined]) {
      configFile = installProvider({
        configFile: join(fixture.project, '.procurement/terraform.rc'),
        bundlePath: bundleProvider(),
        lockFile: stack && join(fixture.project, 'cdktf.out/stacks', stack, '.terraform.lock.hcl'),
      }).configFile;
    }
    fixture.env = testEnvironment({
      TF_CLI_CONFIG_FILE: configFile,
      PROCUREMENT_URL: fixture.server.url,
      PROCUREMENT_ADMIN_TOKEN: fixture.server.adminToken,
      PROCUREMENT_SECRETS_DIR: join(fixture.project, '.procurement/secrets'),
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      FORCE_COLOR: '0',
    });
  });
  afterAll(async () => {
    await fixture.server?.stop();
    if (fixture.project) rmSync(fixture.project, { recursive: true, force: true });
  });
  return fixture;
}
