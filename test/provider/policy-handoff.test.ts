/**
 * The policy-change hand-off of docs/ci-workflows.md ("Shipping a policy
 * change"), with the real terraform, the real server and the apply job's own
 * step (scripts/ci/apply.sh), on what the constructs synthesize (an
 * Authorization with AuthorizationOutputs). A pull request's plan, made with a
 * `read` token and saved, changes the policy and adds a client (so the outputs
 * change too). The apply job's `write` token is refused before Terraform
 * starts, with nothing written on the server or in the state (byte for byte):
 * Terraform itself would refuse only the policy's write, after writing the
 * outputs to the state, and the saved plan would be stale. Then the same saved
 * plan applies with the admin token the job is given for policy changes.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TerraformStack, Testing } from 'cdktf';
import { Authorization, AuthorizationOutputs, ProcurementClient, ProcurementPolicy, Role, Scope, ScopeRisk } from '../../lib/constructs';
import { adminState } from '../support/admin-state';
import { testEnvironment } from '../support/environment';
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../..');

/** The stack as synthesized: v2 adds an external client and the exception it needs to the policy. */
function synthesized(version: 1 | 2): object {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'dev');
  const exception = { ruleId: 'EXTERNAL-ISOLATION', object: { kind: 'clients' as const, key: 'acme' }, reason: 'Acme runs our ticket desk under contract C-77', expiresAt: '2099-01-31T00:00:00Z' };
  const policy = new ProcurementPolicy({ environment: 'dev', exceptions: version === 1 ? [] : [exception] });
  const auth = new Authorization(stack, 'Auth', { environment: 'dev', policy });
  new AuthorizationOutputs(auth, 'Outputs');
  const read = new Scope(auth, 'Read', { name: 'ticket.read', description: 'Read tickets.', risk: ScopeRisk.LOW });
  const desk = new Role(auth, 'Desk', { name: 'desk', description: 'Ticket desk.', scopes: [read] });
  desk.grantTo(new ProcurementClient(auth, 'Bot', { clientId: 'desk-bot', displayName: 'Desk bot', owner: 'service-desk' }));
  if (version === 2) desk.grantTo(new ProcurementClient(auth, 'Acme', { clientId: 'acme', displayName: 'Acme desk', owner: 'service-desk', external: true }));
  const { resource, output, moved } = JSON.parse(Testing.synth(stack)) as { resource: object; output: object; moved?: object };
  return { resource, output, ...(moved ? { moved } : {}) };
}

describe('a saved plan that changes the policy', () => {
  const fixture = serverAndWorkspace();
  const run = async (file: string, args: string[], env: Record<string, string>) => {
    const environment = testEnvironment({ TF_CLI_CONFIG_FILE: fixture.tf.install.configFile, PROCUREMENT_URL: fixture.server.url, TF_IN_AUTOMATION: '1', ...env });
    try {
      const { stdout, stderr } = await promisify(execFile)(file, args, { cwd: fixture.tf.dir, env: environment });
      return { exitCode: 0, stdout, stderr };
    } catch (e) {
      const failed = e as { code: number; stdout: string; stderr: string };
      return { exitCode: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const cli = (args: string[], token: string) => run(process.execPath, [join(ROOT, 'bin/procurement-scopes.js'), ...args], { PROCUREMENT_ADMIN_TOKEN: token });

  test('the apply job refuses it with the write token, nothing written on the server or in the state; it applies with the admin token', async () => {
    fixture.tf.writeConfig(synthesized(1));
    expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
    const writeToken = (await fixture.server.admin.createAdminToken('ci-apply', 'write')).token;
    const readToken = (await fixture.server.admin.createAdminToken('ci-plan', 'read')).token;

    // The plan job, as scripts/ci/plan.sh runs it: the guard first, then the saved plan, with the read token.
    rmSync(join(fixture.tf.dir, 'main.tf.json'));
    fixture.tf.writeConfig(synthesized(2));
    writeFileSync(join(fixture.tf.dir, 'cdk.tf.json'), readFileSync(join(fixture.tf.dir, 'main.tf.json')));
    rmSync(join(fixture.tf.dir, 'main.tf.json'));
    writeFileSync(join(fixture.tf.dir, 'state-at-plan.json'), readFileSync(join(fixture.tf.dir, 'terraform.tfstate')));
    expectExit(await cli(['plan-guard', 'record', '--state', 'state-at-plan.json', '--out', 'plan-guard.json'], readToken), 0);
    const plan = await cli(['terraform', 'plan', '-input=false', '-no-color', '-out=plan.tfplan'], readToken);
    expectExit(plan, 0);
    expect(plan.stdout).toContain('Plan: 1 to add, 2 to change, 0 to destroy.');
    const said = (plan.stdout + plan.stderr).replace(/\s+/g, ' ');
    expect(said).toContain('Applying this plan needs an admin token');
    // The warning says what changes in the policy, and never prints the document (Terraform shows the lines it points at).
    expect(said).toContain(
      'This plan changes the \'dev\' policy: - exception added: EXTERNAL-ISOLATION for clients acme until 2099-01-31T00:00:00Z, because "Acme runs our ticket desk under contract C-77"',
    );
    expect(plan.stderr + plan.stdout).not.toContain('allowedScopes');

    const state = readFileSync(join(fixture.tf.dir, 'terraform.tfstate'));
    const before = await adminState(fixture.server);
    const refused = await run(join(ROOT, 'scripts/ci/apply.sh'), [fixture.tf.dir], { PROCUREMENT_ADMIN_TOKEN: writeToken });
    expectExit(refused, 4);
    expect(refused.stderr.replace(/\s+/g, ' ')).toContain(
      "refusing to apply: this plan changes the 'dev' policy, and the token given ('ci-apply') has the write role: only an admin token changes the policy",
    );
    expect(refused.stderr).toContain('Nothing was applied.');
    expect(readFileSync(join(fixture.tf.dir, 'terraform.tfstate')).equals(state)).toBe(true);
    expect(await adminState(fixture.server)).toEqual(before);

    const applied = await run(join(ROOT, 'scripts/ci/apply.sh'), [fixture.tf.dir], { PROCUREMENT_ADMIN_TOKEN: writeToken, PROCUREMENT_POLICY_ADMIN_TOKEN: fixture.server.adminToken });
    expectExit(applied, 0);
    expect(applied.stdout).toContain('this plan changes the procurement_policy: applying it with PROCUREMENT_POLICY_ADMIN_TOKEN');
    expect(applied.stdout).toContain('Apply complete! Resources: 1 added, 2 changed, 0 destroyed.');
    expect((await fixture.server.admin.get('clients', 'acme'))?.value.external).toBe(true);
    expect(((await fixture.server.admin.policy()).value as { exceptions: unknown[] }).exceptions).toHaveLength(1);
    const outputs = await fixture.tf.run('output', '-json', 'client_ids');
    expect(JSON.parse(outputs.stdout)).toEqual(['acme', 'desk-bot']);
  });
});
