/**
 * `procurement-scopes terraform <args...>` hands every argument to terraform,
 * options included (`--version` is Terraform's, not ours), and starts the
 * provider only for the commands that use one, in the directory Terraform
 * works in. Serving a command is tested with real Terraform in
 * test/provider/provider-processes.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { usesProvider, workingDirectoryOf } from '../../lib/terraform/reattached-provider';
import { testEnvironment } from '../support/environment';

const BIN = resolve(__dirname, '../../bin/procurement-scopes.js');

test('options reach terraform: --version is Terraform\'s, and its exit code is ours', () => {
  const run = spawnSync(process.execPath, [BIN, 'terraform', '--version'], { encoding: 'utf8', env: testEnvironment() });
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Terraform v\d+\.\d+/);
  const wrong = spawnSync(process.execPath, [BIN, 'terraform', 'fmt', '-no-such-flag'], { encoding: 'utf8', env: testEnvironment() });
  expect(wrong.status).not.toBe(0);
  expect(wrong.stderr).toContain('no-such-flag');
});

test('a provider is started for commands that use one, never for init (it would leave the provider out of the lock file)', () => {
  expect(usesProvider(['plan', '-out=p'])).toBe(true);
  expect(usesProvider(['-chdir=stack', 'apply', 'p'])).toBe(true);
  expect(usesProvider(['-chdir=stack', 'init', '-input=false'])).toBe(false);
  expect(usesProvider(['version'])).toBe(false);
  expect(usesProvider(['--version'])).toBe(false);
});

test('the provider works where Terraform works: -chdir before the subcommand moves it', () => {
  expect(workingDirectoryOf(['-chdir=stacks/dev', 'plan'], '/repo')).toBe('/repo/stacks/dev');
  expect(workingDirectoryOf(['-chdir=/abs', 'plan'], '/repo')).toBe('/abs');
  expect(workingDirectoryOf(['plan', '-chdir=ignored'], '/repo')).toBe('/repo');
});
