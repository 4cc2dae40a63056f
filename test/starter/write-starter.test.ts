import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CDKTN_VERSIONS, writeStarter } from '../../lib/starter/write-starter';
import { projectCdk } from '../../lib/terraform/cdk-cli';
import { VERSION } from '../../lib/version';
import { testEnvironment } from '../support/environment';
import { PROJECT_ROOT } from '../support/temporary-project';

describe('procurement-scopes init', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procurement-init-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a stacks repository: cdktf.json, dev and prod stacks, the workflows, .gitignore, a README, package.json', () => {
    const target = join(dir, 'My Scopes');
    const result = writeStarter(target);
    expect(result.written).toEqual([
      '.github/workflows/procurement-apply.yml',
      '.github/workflows/procurement-drift.yml',
      '.github/workflows/procurement-plan.yml',
      '.gitignore',
      'README.md',
      'cdktf.json',
      'package.json',
      'scripts/ci/apply.sh',
      'scripts/ci/common.sh',
      'scripts/ci/drift.sh',
      'scripts/ci/list-stacks.sh',
      'scripts/ci/plan.sh',
      'scripts/ci/route.sh',
      'stacks/main.ts',
      'stacks/procurement-stack.ts',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
    const ours = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-scopes');
    expect(pkg.scripts).toEqual({
      postinstall: 'procurement-scopes install-provider --config-file .procurement/terraform.rc --stacks-dir cdktf.out/stacks',
      start: 'procurement-scopes main',
      synth: 'procurement-scopes cdk synth',
      diff: 'procurement-scopes cdk diff',
    });
    // The workflow steps run without Terraform's and cdktf's update checks, whatever the runner's environment.
    const { CHECKPOINT_DISABLE: _, ...without } = testEnvironment();
    const sourced = spawnSync('bash', ['-c', 'source scripts/ci/common.sh && printenv CHECKPOINT_DISABLE'], { cwd: target, env: without, encoding: 'utf8' });
    expect(sourced.stdout.trim()).toBe('1');
    expect(pkg.dependencies).toEqual({ 'procurement-scopes': `^${VERSION}`, cdktf: ours.devDependencies.cdktf, constructs: ours.devDependencies.constructs });
    expect(readFileSync(join(target, '.gitignore'), 'utf8')).toMatch(/^\.procurement\/$/m);
    // The workflows are this repository's own, byte for byte.
    expect(readFileSync(join(target, '.github/workflows/procurement-plan.yml'), 'utf8')).toBe(
      readFileSync(join(PROJECT_ROOT, '.github/workflows/procurement-plan.yml'), 'utf8'),
    );
    expect(readFileSync(join(target, 'stacks/main.ts'), 'utf8')).toMatch(/'dev'[\s\S]*'prod'/);
  });

  it('--cdk cdktn writes the same repository for CDK Terrain: its imports, cdktn and cdktn-cli instead of cdktf and cdktf-cli', () => {
    const cdktf = join(dir, 'cdktf');
    const cdktn = join(dir, 'cdktn');
    expect(writeStarter(cdktn, { cdk: 'cdktn' }).written).toEqual(writeStarter(cdktf).written);
    for (const file of ['stacks/main.ts', 'stacks/procurement-stack.ts']) {
      const source = readFileSync(join(cdktn, file), 'utf8');
      expect(source).toMatch(/from 'cdktn'/);
      expect(source).not.toMatch(/from 'cdktf'/);
      expect(source.replace(/from 'cdktn'/g, "from 'cdktf'")).toBe(readFileSync(join(cdktf, file), 'utf8'));
    }
    const pkg = JSON.parse(readFileSync(join(cdktn, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({ 'procurement-scopes': `^${VERSION}`, cdktn: CDKTN_VERSIONS.cdktn, constructs: CDKTN_VERSIONS.constructs });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(['@types/node', 'cdktn-cli', 'tsx', 'typescript']);
    expect(projectCdk(cdktn)).toBe('cdktn');
    expect(projectCdk(cdktf)).toBe('cdktf');
  });

  it("its .gitignore lets each stack's lock file through and nothing else of cdktf.out/, .procurement/ or state", () => {
    writeStarter(dir);
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env: testEnvironment(), encoding: 'utf8' });
    expect(git('init', '-q').status).toBe(0);
    const files = {
      'cdktf.out/stacks/dev/.terraform.lock.hcl': false,
      'cdktf.out/stacks/prod/.terraform.lock.hcl': false,
      'cdktf.out/stacks/dev/cdk.tf.json': true,
      'cdktf.out/stacks/dev/main-job.tfplan': true,
      'cdktf.out/stacks/dev/.terraform/providers/x': true,
      'cdktf.out/stacks/dev/terraform.dev.tfstate': true,
      'cdktf.out/manifest.json': true,
      '.procurement/terraform.rc': true,
      '.procurement/secrets/dev/approval-bot.json': true,
      'node_modules/procurement-scopes/package.json': true,
      'stacks/main.ts': false,
    };
    for (const file of Object.keys(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), '{}');
    }
    expect(git('add', '--all').status).toBe(0);
    const staged = git('diff', '--cached', '--name-only').stdout.split('\n');
    expect(Object.fromEntries(Object.keys(files).map(file => [file, !staged.includes(file)]))).toEqual(files);
  });

  it('fails when the directory is not empty, naming what is there, and writes nothing', () => {
    mkdirSync(join(dir, 'stacks'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => writeStarter(dir)).toThrow(/init writes a new project into an empty directory, and .* holds notes\.txt, stacks: run it in a new directory/);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'stacks']);
  });
});
