/**
 * A Terraform working directory for acceptance tests: the REAL `terraform`,
 * the provider bundled from source and installed into a filesystem mirror
 * with install-provider (no registry), pointed at a REAL embedded server.
 *
 *   const server = await startServer();
 *   const tf = await createWorkspace({ url: server.url, adminToken: server.adminToken });
 *   tf.writeConfig({ resource: { procurement_scope: { ... } } });
 *   await tf.init(); expect((await tf.plan()).exitCode).toBe(2);
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installProvider, InstallResult } from '../../lib/provider/install/install-provider';
import { TerraformCli, TerraformResult } from '../../lib/terraform/terraform-cli';
import { testEnvironment } from './environment';

const ROOT = resolve(__dirname, '../..');
let bundled: string | null = null;

/** Fails loudly when terraform is missing: these tests must never pass by skipping. */
export function requireTerraform(): void {
  const probe = spawnSync('terraform', ['version'], { encoding: 'utf8', env: testEnvironment() });
  if (probe.error || probe.status !== 0) {
    throw new Error(`terraform is required for the provider acceptance tests but could not be run: ${probe.error?.message ?? probe.stderr}`);
  }
}

/** Bundles the provider from the current source, once per test process (esbuild: well under a second), into this run's temporary root. */
export function bundleProvider(): string {
  if (!bundled) {
    const dir = mkdtempSync(join(tmpdir(), 'procurement-bundle-'));
    bundled = join(dir, 'procurement-provider.js');
    execFileSync(process.execPath, [join(ROOT, 'scripts/bundle-provider.js'), '--outfile', bundled], { stdio: 'pipe', env: testEnvironment() });
  }
  return bundled;
}

export interface WorkspaceOptions {
  url: string;
  adminToken?: string;
  /** Extra provider block arguments, e.g. `{ secrets_dir: '...' }`. */
  provider?: Record<string, unknown>;
  /** Extra environment for terraform and the provider, on top of `testEnvironment()` and the server's URL and token. */
  env?: Record<string, string>;
}

export interface Workspace {
  readonly dir: string;
  readonly install: InstallResult;
  /** Writes main.tf.json: the required_providers and provider blocks are added. */
  writeConfig(config: { resource?: object; data?: object; output?: object }): void;
  /** A terraform command, e.g. `run('import', 'procurement_scope.x', 'x.read')`. */
  run(command: string, ...args: string[]): Promise<TerraformResult>;
  init(): Promise<TerraformResult>;
  /** `plan -detailed-exitcode`: 0 no changes, 2 changes, 1 error. */
  plan(...extra: string[]): Promise<TerraformResult>;
  apply(...extra: string[]): Promise<TerraformResult>;
  /** `terraform show -json` of the state. */
  state(): Promise<{ text: string; json: StateJson }>;
  remove(): void;
}

export interface StateJson {
  values?: { root_module?: { resources?: { address: string; type: string; values: Record<string, unknown> }[] } };
}

export async function createWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  requireTerraform();
  const dir = mkdtempSync(join(tmpdir(), 'procurement-tf-'));
  const install = installProvider({ configFile: join(dir, 'terraform.tfrc'), bundlePath: bundleProvider() });
  const work = join(dir, 'work');
  mkdirSync(work);
  const cli = new TerraformCli({
    cwd: work,
    baseEnv: testEnvironment(),
    env: {
      TF_CLI_CONFIG_FILE: install.configFile,
      PROCUREMENT_URL: options.url,
      ...(options.adminToken ? { PROCUREMENT_ADMIN_TOKEN: options.adminToken } : {}),
      TF_IN_AUTOMATION: '1',
      ...options.env,
    },
  });
  // `command` may hold a subcommand too (`'providers schema'`): -no-color goes after the whole of it.
  const run = (command: string, ...args: string[]) => cli.run([...command.split(' '), '-no-color', ...args], { quiet: true });
  return {
    dir: work,
    install,
    writeConfig(config) {
      const document = {
        terraform: { required_providers: { procurement: { source: 'procurement-scopes/procurement', version: '~> 0.1' } } },
        provider: { procurement: [options.provider ?? {}] },
        ...config,
      };
      writeFileSync(join(work, 'main.tf.json'), JSON.stringify(document, null, 2));
    },
    run,
    init: () => run('init', '-input=false'),
    plan: (...extra) => run('plan', '-input=false', '-detailed-exitcode', ...extra),
    apply: (...extra) => run('apply', '-input=false', '-auto-approve', ...extra),
    async state() {
      const result = await run('show', '-json');
      if (result.exitCode !== 0) throw new Error(`terraform show failed: ${result.stderr}`);
      return { text: result.stdout, json: JSON.parse(result.stdout) as StateJson };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Terraform wraps diagnostics to fit its width, and where a line breaks depends on what varies (a port, a client
 * name, which call failed first): compare its words with every run of whitespace made one space.
 */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Fails with Terraform's own words when a command did not exit as expected. */
export function expectExit(result: TerraformResult, code: number): void {
  if (result.exitCode !== code) {
    throw new Error(`terraform exited ${result.exitCode}, expected ${code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  }
}
