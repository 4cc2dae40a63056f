/** The `review` command as a pipeline runs it: the built executable, a file or standard input, exit codes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEnvironment } from '../support/environment';
import { fixturePath } from './fixtures';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, 'review', ...args], { input, encoding: 'utf8', env: testEnvironment() });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('procurement-scopes review', () => {
  test('prints markdown with the verdict for a pull request', () => {
    const { status, stdout } = run([fixturePath('separation-of-duties')]);
    expect(status).toBe(0);
    expect(stdout).toContain('**⚠ 1 client gains high-risk scopes; 1 separation-of-duties conflict**');
  });

  test('reads standard input with -, and --format text starts with the verdict', () => {
    const { status, stdout } = run(['-', '--format', 'text'], readFileSync(fixturePath('grant-removed'), 'utf8'));
    expect(status).toBe(0);
    expect(stdout.split('\n')[0]).toBe('✓ No risk flags: 1 client loses scopes');
  });

  test('--fail-on-flags exits 4 on a flagged plan and 0 on a clean one', () => {
    expect(run([fixturePath('critical-to-external'), '--fail-on-flags']).status).toBe(4);
    expect(run([fixturePath('grant-added'), '--fail-on-flags']).status).toBe(0);
  });

  test('fails when the file is not a plan, with a usage error', () => {
    const { status, stderr } = run([join(__dirname, '..', '..', 'package.json')]);
    expect(status).toBe(2);
    expect(stderr).toContain("is not a Terraform JSON plan (no format_version); pass the output of 'terraform show -json <planfile>'");
  });

  test('fails when --now is not a date', () => {
    const { status, stderr } = run([fixturePath('drift'), '--now', 'yesterday']);
    expect(status).toBe(2);
    expect(stderr).toContain("--now must be an ISO 8601 date-time");
  });
});
