/**
 * `install-provider` through the built executable: it writes a mirror and a
 * Terraform CLI configuration, is idempotent, refuses to overwrite a
 * configuration it did not write, and records the package hash in a lock
 * file while keeping every other provider's entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_VERSION_CONSTRAINT, VERSION } from '../../lib/version';
import { testEnvironment } from '../support/environment';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');

function install(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'install-provider', ...args], { encoding: 'utf8', env: testEnvironment() });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `h1:` hash install-provider reports. */
function reportedHash(stdout: string): string {
  const match = /^provider package hash: (h1:\S+)$/m.exec(stdout);
  if (!match) throw new Error(`no package hash in:\n${stdout}`);
  return match[1];
}

const RANDOM_PROVIDER = [
  'provider "registry.terraform.io/hashicorp/random" {',
  '  version     = "3.6.0"',
  '  constraints = "~> 3.6"',
  '  hashes = [',
  '    "h1:I8MBeauYA8J8yheLJ8oSMWqB0kovn16dF/wKZ1QTdkk=",',
  '  ]',
  '}',
].join('\n');

describe('install-provider', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'install-provider-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the mirror and a configuration that uses it; a second run changes nothing', () => {
    const configFile = join(dir, 'terraform.rc');
    const first = install('--config-file', configFile);
    expect(first.status).toBe(0);
    const config = readFileSync(configFile, 'utf8');
    expect(config).toContain(`path    = ${JSON.stringify(join(dir, 'terraform-providers'))}`);
    expect(config).toContain('include = ["registry.terraform.io/procurement-scopes/*"]');
    const versionDir = join(dir, `terraform-providers/registry.terraform.io/procurement-scopes/procurement/${VERSION}`);
    const [platform] = readdirSync(versionDir);
    expect(readdirSync(join(versionDir, platform)).sort()).toEqual(['procurement-provider.js', `terraform-provider-procurement_v${VERSION}`]);

    const second = install('--config-file', configFile);
    expect(second.status).toBe(0);
    expect(second.stdout).not.toMatch(/^wrote /m);
    expect(second.stdout.match(/^unchanged /gm)).toHaveLength(3);
    expect(reportedHash(second.stdout)).toBe(reportedHash(first.stdout));
  });

  test('fails with exit 2 when the configuration file exists and is not its own, leaving that file as it was', () => {
    const configFile = join(dir, 'terraform.rc');
    const foreign = 'plugin_cache_dir = "/home/me/.terraform.d/plugin-cache"\n';
    writeFileSync(configFile, foreign);
    const { status, stderr } = install('--config-file', configFile);
    expect(status).toBe(2);
    expect(stderr).toContain(`error: ${configFile} exists and was not written by install-provider: refusing to overwrite it.`);
    expect(stderr).toContain('Choose another --config-file');
    expect(readFileSync(configFile, 'utf8')).toBe(foreign);
  });

  test('records the package hash in a lock file, keeping the other providers and replacing its own old entry', () => {
    const lockFile = join(dir, '.terraform.lock.hcl');
    const stale = ['provider "registry.terraform.io/procurement-scopes/procurement" {', '  version = "0.0.9"', '  hashes = [', '    "h1:stale=",', '  ]', '}'].join('\n');
    writeFileSync(lockFile, `# This file is maintained automatically by "terraform init".\n\n${RANDOM_PROVIDER}\n\n${stale}\n`);
    const { status, stdout } = install('--config-file', join(dir, 'terraform.rc'), '--lock-file', lockFile);
    expect(status).toBe(0);
    const hash = reportedHash(stdout);
    expect(readFileSync(lockFile, 'utf8')).toBe(
      `# This file is maintained automatically by "terraform init".\n\n${RANDOM_PROVIDER}\n\n` +
        `provider "registry.terraform.io/procurement-scopes/procurement" {\n  version     = "${VERSION}"\n  constraints = "${PROVIDER_VERSION_CONSTRAINT}"\n  hashes = [\n    "${hash}",\n  ]\n}\n`,
    );
  });

  test("the package names no path of this machine, so a lock file committed elsewhere matches it", () => {
    const first = install('--config-file', join(dir, 'a', 'terraform.rc'));
    const second = install('--config-file', join(dir, 'b', 'terraform.rc'));
    expect(reportedHash(second.stdout)).toBe(reportedHash(first.stdout));
    const versionDir = join(dir, `a/terraform-providers/registry.terraform.io/procurement-scopes/procurement/${VERSION}`);
    const [platform] = readdirSync(versionDir);
    const launcher = readFileSync(join(versionDir, platform, `terraform-provider-procurement_v${VERSION}`), 'utf8');
    expect(launcher).not.toContain(process.execPath);
    expect(launcher).not.toContain(dir);
    expect(launcher).toContain('exec node "$dir/procurement-provider.js"');
  });

  test('--stacks-dir updates the lock file of every synthesized stack that has one, and creates none', () => {
    const stacks = join(dir, 'cdktf.out', 'stacks');
    const stale = ['provider "registry.terraform.io/procurement-scopes/procurement" {', '  version = "0.0.9"', '  hashes = [', '    "h1:stale=",', '  ]', '}'].join('\n');
    for (const stack of ['dev', 'prod']) {
      mkdirSync(join(stacks, stack), { recursive: true });
      writeFileSync(join(stacks, stack, '.terraform.lock.hcl'), `${RANDOM_PROVIDER}\n\n${stale}\n`);
    }
    mkdirSync(join(stacks, 'new'));
    const { status, stdout } = install('--config-file', join(dir, 'terraform.rc'), '--stacks-dir', stacks);
    expect(status).toBe(0);
    for (const stack of ['dev', 'prod']) {
      const lock = readFileSync(join(stacks, stack, '.terraform.lock.hcl'), 'utf8');
      expect(lock).toContain(RANDOM_PROVIDER);
      expect(lock).toContain(`version     = "${VERSION}"`);
      expect(lock).toContain(reportedHash(stdout));
      expect(lock).not.toContain('h1:stale=');
    }
    expect(readdirSync(join(stacks, 'new'))).toEqual([]);
  });

  test('creates the lock file when there is none, with only its own entry', () => {
    const lockFile = join(dir, 'stack', '.terraform.lock.hcl');
    const { status, stdout } = install('--config-file', join(dir, 'terraform.rc'), '--lock-file', lockFile);
    expect(status).toBe(0);
    expect(readFileSync(lockFile, 'utf8')).toBe(
      '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n\n' +
        `provider "registry.terraform.io/procurement-scopes/procurement" {\n  version     = "${VERSION}"\n  constraints = "${PROVIDER_VERSION_CONSTRAINT}"\n  hashes = [\n    "${reportedHash(stdout)}",\n  ]\n}\n`,
    );
  });
});
