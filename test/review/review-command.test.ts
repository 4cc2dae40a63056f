/** The `review` command as a pipeline runs it: the built executable, a file or standard input, exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';
import { fixturePath } from './fixtures';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');

function run(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, 'review', ...args], { input, encoding: 'utf8', env: testEnvironment(env) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('procurement-scopes review', () => {
  test('prints markdown with the verdict for a pull request', () => {
    const { status, stdout } = run([fixturePath('separation-of-duties')]);
    expect(status).toBe(0);
    expect(stdout).toContain('**⚠ 1 risky grant (worst: po.create (high) to client approval-bot)**');
  });

  test('--policy judges the plan with a policy document, and refuses one that does not validate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-policy-'));
    try {
      writeFileSync(join(dir, 'policy.json'), JSON.stringify({ environment: 'staging' }));
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ environment: 'staging', maxHighRiskGrantDays: 0 }));
      const judged = run([fixturePath('separation-of-duties'), '--policy', join(dir, 'policy.json'), '--format', 'text']);
      expect(judged.status).toBe(0);
      expect(judged.stdout.split('\n')[0]).toBe('⚠ 1 risky grant (worst: po.create (high) to client approval-bot: separation of duties, not time-bound)');
      const refused = run([fixturePath('separation-of-duties'), '--policy', join(dir, 'bad.json')]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`${join(dir, 'bad.json')}: invalid policy for 'staging':\n  maxHighRiskGrantDays: must be >= 1, got 0`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--policy-from judges the plan with the policy the server enforces, read with an admin token', async () => {
    const server = await startServer();
    try {
      const env = { PROCUREMENT_ADMIN_TOKEN: server.adminToken };
      const preset = run([fixturePath('separation-of-duties'), '--policy-from', server.url, '--format', 'text'], undefined, env);
      expect(preset.status).toBe(0);
      expect(preset.stdout.split('\n')[0]).toContain('separation of duties');
      expect(preset.stdout.replace(/\s+/g, ' ')).toContain("Policy 'dev' as the server enforces it.");

      await server.admin.putPolicy({ environment: 'dev', severities: { 'SEPARATION-OF-DUTIES': 'off' } });
      const off = run([fixturePath('separation-of-duties'), '--policy-from', server.url, '--format', 'text'], undefined, env);
      expect(off.status).toBe(0);
      expect(off.stdout.split('\n')[0]).not.toContain('separation of duties');

      const noToken = run([fixturePath('separation-of-duties'), '--policy-from', server.url]);
      expect(noToken.status).toBe(2);
      expect(noToken.stderr).toContain('--policy-from needs the admin token in PROCUREMENT_ADMIN_TOKEN');
    } finally {
      await server.stop();
    }
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
    expect(stderr).toContain("--now must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z, got 'yesterday'");
  });
});
