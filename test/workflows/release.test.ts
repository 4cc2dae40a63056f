/**
 * The release's provider assets (scripts/release/provider-mirror.js, run by
 * .github/workflows/release.yml): one zip per platform, SHA256SUMS, and a tree
 * that is a provider network mirror and a packed filesystem mirror. Real
 * terraform installs the provider from that tree, offline, and accepts the
 * lock file install-provider writes: a lock committed from a development
 * machine holds for a team that takes the provider from the release.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBundlePath, installProvider } from '../../lib/provider/install/install-provider';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { VERSION } from '../../lib/version';
import { testEnvironment } from '../support/environment';
import { PROJECT_ROOT } from '../support/temporary-project';
import { requireTerraform } from '../support/terraform';

const SCRIPT = join(PROJECT_ROOT, 'scripts/release/provider-mirror.js');
const PLATFORMS = ['darwin_arm64', 'linux_amd64'];
const zipOf = (platform: string) => `terraform-provider-procurement_${VERSION}_${platform}.zip`;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the release: the provider for a Terraform mirror', () => {
  let dir: string;
  let tree: string;
  beforeAll(() => {
    requireTerraform();
    dir = mkdtempSync(join(tmpdir(), 'provider-release-'));
    tree = join(dir, 'registry.terraform.io/procurement-scopes/procurement');
    for (const platform of PLATFORMS) {
      execFileSync(process.execPath, [SCRIPT, 'package', '--platform', platform, '--out', dir], { env: testEnvironment(), encoding: 'utf8' });
    }
    execFileSync(process.execPath, [SCRIPT, 'index', '--dir', dir], { env: testEnvironment(), encoding: 'utf8' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('one zip per platform with SHA256SUMS, and the network mirror protocol documents beside the zips', () => {
    expect(readFileSync(join(dir, 'SHA256SUMS'), 'utf8')).toBe(PLATFORMS.map(p => `${sha256(join(dir, zipOf(p)))}  ${zipOf(p)}\n`).join(''));
    expect(JSON.parse(readFileSync(join(tree, 'index.json'), 'utf8'))).toEqual({ versions: { [VERSION]: {} } });
    expect(JSON.parse(readFileSync(join(tree, `${VERSION}.json`), 'utf8'))).toEqual({
      archives: Object.fromEntries(PLATFORMS.map(p => [p, { url: zipOf(p), hashes: [`zh:${sha256(join(dir, zipOf(p)))}`] }])),
    });
    expect(readdirSync(tree).sort()).toEqual([`${VERSION}.json`, 'index.json', ...PLATFORMS.map(zipOf)].sort());
    const listing = execFileSync('unzip', ['-Z', join(tree, zipOf('linux_amd64'))], { encoding: 'utf8' });
    expect(listing).toMatch(new RegExp(`^-rwxr-xr-x .* terraform-provider-procurement_v${VERSION}$`, 'm'));
    expect(listing).toMatch(/^-rw-r--r-- .* procurement-provider\.js$/m);
  });

  test('a second build gives the same zips', () => {
    const again = join(dir, 'again');
    execFileSync(process.execPath, [SCRIPT, 'package', '--platform', 'linux_amd64', '--out', again], { env: testEnvironment() });
    expect(sha256(join(again, zipOf('linux_amd64')))).toBe(sha256(join(dir, zipOf('linux_amd64'))));
  });

  test('terraform init installs it from the tree as a filesystem mirror, offline, and accepts the lock file install-provider writes', async () => {
    const stack = join(dir, 'stack');
    mkdirSync(stack);
    const installed = installProvider({ configFile: join(dir, 'local', 'terraform.rc'), bundlePath: defaultBundlePath(), lockFile: join(stack, '.terraform.lock.hcl') });
    const lockBefore = readFileSync(join(stack, '.terraform.lock.hcl'), 'utf8');
    writeFileSync(join(stack, 'cdk.tf.json'), JSON.stringify({ terraform: { required_providers: { procurement: { source: 'procurement-scopes/procurement', version: VERSION } } } }));
    const rc = join(dir, 'release.rc');
    writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(dir)}\n  }\n}\n`);
    const terraform = new TerraformCli({ cwd: stack, baseEnv: testEnvironment({ HOME: dir, TF_CLI_CONFIG_FILE: rc }) });
    const init = await terraform.init({ quiet: true });
    expect(init.stdout).toContain(`Installed procurement-scopes/procurement v${VERSION}`);
    const lockAfter = readFileSync(join(stack, '.terraform.lock.hcl'), 'utf8');
    expect(lockAfter).toContain(installed.hash);
    expect(lockBefore).toContain(installed.hash);
  });
});
