import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStarter } from '../../lib/starter/write-starter';
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
      'stacks/main.ts',
      'stacks/procurement-stack.ts',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
    const ours = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-scopes');
    expect(pkg.scripts.start).toBe('procurement-scopes main');
    expect(pkg.scripts.synth).toBe('CHECKPOINT_DISABLE=1 cdktf synth');
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

  it('fails when the directory is not empty, naming what is there, and writes nothing', () => {
    mkdirSync(join(dir, 'stacks'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => writeStarter(dir)).toThrow(/init writes a new project into an empty directory, and .* holds notes\.txt, stacks: run it in a new directory/);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'stacks']);
  });
});
