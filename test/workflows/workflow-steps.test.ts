/**
 * The workflows' own shell steps, run off GitHub against the real embedded
 * server, the real terraform and cdktf, on the `dev` stack: the apply
 * workflow's plan job with the `read` token, its route job sending a plan
 * that changes the policy to the admin token's environment and any other to
 * the write token's, its protected job applying the saved plan with the
 * `write` token, the refusal when the server changed
 * between them, and the drift workflow noticing a change made by hand. The
 * artifact hand-over (upload/download) is a copy of the stack directory
 * without `.terraform`, as the workflow's upload step excludes it.
 *
 * The state lives in a real PostgreSQL (the workflows' `pg` backend): the
 * plan and drift jobs connect as a role that may only SELECT it (-lock=false),
 * the apply job as the role that owns it, as the workflows' headers document.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { requireTerraform } from '../support/terraform';
import { PROJECT_ROOT, temporaryProject } from '../support/temporary-project';
import { Postgres, startPostgres } from '../support/postgres';
import { Contexts, JobRunner, loadWorkflow, stepOf } from './workflow-runner';

const WORKFLOWS = join(PROJECT_ROOT, '.github', 'workflows');
const apply = loadWorkflow(join(WORKFLOWS, 'procurement-apply.yml'));
const drift = loadWorkflow(join(WORKFLOWS, 'procurement-drift.yml'));
const INSTALL = 'Install the procurement provider (filesystem mirror)';
const APPLY = 'Apply exactly the reviewed plan (refused if the server or the state changed since)';
const STACK = 'dev';

jest.setTimeout(600_000);

describe('workflow steps, off GitHub', () => {
  let server: EmbeddedServer;
  let project: string;
  let secrets: string;
  let contexts: Contexts;
  let pg: Postgres;
  const baseEnv = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', PROCUREMENT_URL: '', PROCUREMENT_ADMIN_TOKEN: '', PG_CONN_STR: '' };
  const runners: JobRunner[] = [];
  const artifacts: string[] = [];
  const runner = () => {
    const made = new JobRunner(project, contexts, baseEnv);
    runners.push(made);
    return made;
  };
  const stackDir = () => join(project, 'cdktf.out', 'stacks', STACK);

  /** The plan job of the apply workflow; answers the directory its artifact would hold. Synth runs once: it takes the longest. */
  async function planJob(synth: boolean): Promise<{ output: string; artifact: string }> {
    const job = runner();
    for (const name of synth ? [INSTALL, 'Synthesize (guardrails)'] : [INSTALL]) expect(await job.run(stepOf(apply, 'plan', name))).toMatchObject({ exitCode: 0 });
    if (synth) await createStateSchema(job);
    const plan = await job.run(stepOf(apply, 'plan', 'plan'));
    if (plan.exitCode !== 0) throw new Error(`the plan step failed:\n${plan.output}`);
    const artifact = mkdtempSync(join(tmpdir(), 'artifact-'));
    artifacts.push(artifact);
    cpSync(stackDir(), artifact, { recursive: true, filter: source => !source.includes(`${STACK}/.terraform/`) && !source.endsWith(`${STACK}/.terraform`) });
    return { output: plan.output, artifact };
  }

  /**
   * The one-time set-up the workflow headers describe: `terraform init` with the role that owns the state creates
   * its schema and table; the read-only role is granted SELECT on them.
   */
  async function createStateSchema(job: JobRunner): Promise<void> {
    const init = await job.run({ run: `source scripts/ci/common.sh && enter_stack ${STACK}`, env: { PG_CONN_STR: contexts.secrets.PG_CONN_STR } });
    if (init.exitCode !== 0) throw new Error(`terraform init with the owner role failed:\n${init.output}`);
    pg.sql(`GRANT USAGE ON SCHEMA procurement_${STACK} TO tf_read; GRANT SELECT ON ALL TABLES IN SCHEMA procurement_${STACK} TO tf_read;`, 'terraform');
  }

  /** The route job, given the artifact of a plan job: the apply job's matrix entry for it. */
  async function routeJob(artifact: string): Promise<unknown> {
    const job = runner();
    cpSync(artifact, join(job.temp, 'plans', `plan-${STACK}`), { recursive: true });
    const routed = await job.run(stepOf(apply, 'route', 'route'));
    if (routed.exitCode !== 0) throw new Error(`the route step failed:\n${routed.output}`);
    return JSON.parse(routed.outputs.plans);
  }

  /** The protected apply job, given the artifact of a plan job. */
  async function applyJob(artifact: string) {
    const job = runner();
    cpSync(artifact, join(job.temp, 'reviewed', STACK), { recursive: true });
    expect(await job.run(stepOf(apply, 'apply', INSTALL))).toMatchObject({ exitCode: 0 });
    return job.run(stepOf(apply, 'apply', APPLY));
  }

  beforeAll(async () => {
    requireTerraform();
    pg = await startPostgres();
    pg.sql("CREATE ROLE tf_write LOGIN PASSWORD 'write-pass'; CREATE ROLE tf_read LOGIN PASSWORD 'read-pass';");
    pg.sql('CREATE DATABASE terraform OWNER tf_write;');
    server = await startServer();
    const read = (await server.admin.createAdminToken('ci-plan', 'read')).token;
    const write = (await server.admin.createAdminToken('ci-apply', 'write')).token;
    project = temporaryProject();
    symlinkSync(join(PROJECT_ROOT, 'scripts'), join(project, 'scripts'));
    secrets = mkdtempSync(join(tmpdir(), 'delivered-secrets-'));
    const receiver = join(secrets, 'receive.sh');
    writeFileSync(receiver, `#!/bin/sh\ncat > "${secrets}/$PROCUREMENT_CLIENT_ID.json"\n`, { mode: 0o700 });
    contexts = {
      secrets: {
        PROCUREMENT_READ_TOKEN: read,
        PROCUREMENT_WRITE_TOKEN: write,
        // Unset, as GitHub gives a secret the repository does not hold: plans that change the policy are refused.
        PROCUREMENT_POLICY_ADMIN_TOKEN: '',
        PG_CONN_STR_READONLY: pg.url('tf_read', 'read-pass', 'terraform'),
        PG_CONN_STR: pg.url('tf_write', 'write-pass', 'terraform'),
        VAULT_TOKEN: '',
      },
      vars: { PROCUREMENT_URL: server.url, PROCUREMENT_SECRETS_COMMAND: receiver },
      matrix: { stack: STACK },
    };
  });
  afterAll(async () => {
    for (const dir of [...runners.map(r => r.temp), ...artifacts]) rmSync(dir, { recursive: true, force: true });
    if (project) rmSync(project, { recursive: true, force: true });
    if (secrets) rmSync(secrets, { recursive: true, force: true });
    await server?.stop();
    await pg?.stop();
  });

  test('the pull-request workflow plans exactly as the apply workflow\'s plan job does', () => {
    const plan = loadWorkflow(join(WORKFLOWS, 'procurement-plan.yml'));
    expect(stepOf(plan, 'plan', 'plan')).toEqual(stepOf(apply, 'plan', 'plan'));
  });

  /*
   * One story on one server and one state: each step starts where the one before left off (the apply puts the
   * stack in force, the refused apply follows a change made by hand, the drift run sees that change). Its steps are
   * therefore one test, so that they run in this order whatever order jest picks for the tests of this file.
   */
  test('one story: plan then apply; apply refused after the server changed; drift seen by the drift workflow', async () => {
    await step('plan with the read token, then apply of that saved plan with the write token; new secrets go to the secrets command', planThenApply);
    await step('apply refuses a reviewed plan once the server changed after it, and applies nothing', refusedOnceServerChanged);
    await step('the drift workflow sees the change made by hand, with the read token', driftSeen);
  });

  /** Runs one step of the story; a failure names the step. */
  async function step(label: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof Error) error.message = `step "${label}": ${error.message}`;
      throw error;
    }
  }

  async function planThenApply(): Promise<void> {
    const { output, artifact } = await planJob(true);
    // The one-time init with the owner role left an empty state (serial 0) in PostgreSQL.
    expect(output).toContain('recorded server revision 0 and state serial 0 in plan-guard.json');
    expect(readFileSync(join(artifact, 'backend_override.tf.json'), 'utf8')).toContain('"pg":{"schema_name":"procurement_dev","skip_schema_creation":true');
    expect(output).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    const review = readFileSync(join(artifact, 'review.md'), 'utf8');
    expect(review.split('\n')[0]).toBe(`<!-- procurement-scopes-review stack=${STACK} -->`);
    expect(readdirSync(artifact).sort()).toEqual(
      expect.arrayContaining(['apply-role', 'cdk.tf.json', 'plan-guard.json', 'plan.json', 'plan.tfplan', 'review-full.md', 'review.md', '.terraform.lock.hcl']),
    );
    expect(await server.admin.snapshot()).toMatchObject({ revision: 0 }); // the plan wrote nothing

    // The stack's policy differs from the fresh server's preset (an allow-list): the read-token plan says its apply
    // needs an admin token. An admin puts it in force (docs/ci-workflows.md, "Shipping a policy change"); the write token's apply
    // then finds it in force and writes no policy.
    expect(output.replace(/\s+/g, ' ')).toContain('Applying this plan needs an admin token');
    // The plan job said so in apply-role, and the route job sends the plan to the admin token's environment.
    expect(readFileSync(join(artifact, 'apply-role'), 'utf8')).toBe('admin\n');
    expect(await routeJob(artifact)).toEqual([{ stack: STACK, role: 'admin', environment: 'production-policy' }]);
    const config = JSON.parse(readFileSync(join(artifact, 'cdk.tf.json'), 'utf8')) as { resource: { procurement_policy: Record<string, { document: string }> } };
    await server.admin.putPolicy(JSON.parse(config.resource.procurement_policy[STACK].document));

    const applied = await applyJob(artifact);
    if (applied.exitCode !== 0) throw new Error(`the apply step failed:\n${applied.output}`);
    expect(applied.output).toContain('unchanged since the plan (server revision 0, state serial 0): apply may proceed');
    expect(applied.output).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
    // The state is in PostgreSQL, written by the apply job only.
    const rows = spawnSync('psql', [contexts.secrets.PG_CONN_STR, '-tAc', `SELECT name, length(data) > 0 FROM procurement_${STACK}.states`], { encoding: 'utf8' });
    expect(rows.stdout.trim()).toBe('default|t');
    const snapshot = await server.admin.snapshot();
    expect(snapshot.clients.length).toBeGreaterThan(0);
    const writers = new Set((await server.admin.audit({ limit: 1000 })).items.filter(e => e.kind !== null).map(e => e.actor));
    expect(writers).toEqual(new Set(['ci-apply']));
    // Every new client's secret went to the command, and to no output.
    const delivered = snapshot.clients.map(c => JSON.parse(readFileSync(join(secrets, `${c.clientId}.json`), 'utf8')) as { client_secret: string });
    for (const { client_secret } of delivered) expect(`${output}${applied.output}`).not.toContain(client_secret);
  }

  async function refusedOnceServerChanged(): Promise<void> {
    // Drift by hand: the plan will put the description back.
    const scope = (await server.admin.get('scopes', 'catalog.read'))!.value;
    await server.admin.put('scopes', { ...scope, description: 'Changed by hand.' }, 'catalog.read', {
      overrideReason: 'drift made by hand for this test',
    });
    const { output, artifact } = await planJob(false);
    expect(output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    // The policy in force as the stack declares it: the write token's environment applies this plan.
    expect(await routeJob(artifact)).toEqual([{ stack: STACK, role: 'write', environment: 'production' }]);
    // Between the review and the approval, someone changes the server again (within the stack's allow-list, which the
    // server enforces since the policy was shipped).
    await server.admin.put('scopes', { name: 'catalog.audit', description: 'Read the catalog audit log.', risk: 'low' } as never, 'catalog.audit');

    const refused = await applyJob(artifact);
    expect(refused.exitCode).toBe(4);
    expect(refused.output).toMatch(/refusing to apply: the server changed since the plan: revision \d+ when planned, \d+ now/);
    expect(refused.output).toContain('Run the plan again (re-run the workflow) and review the new plan.');
    expect(refused.output).not.toContain('Apply complete');
    expect((await server.admin.get('scopes', 'catalog.read'))?.value.description).toBe('Changed by hand.');
  }

  async function driftSeen(): Promise<void> {
    const job = runner();
    expect(await job.run(stepOf(drift, 'drift', INSTALL))).toMatchObject({ exitCode: 0 });
    const found = await job.run(stepOf(drift, 'drift', 'drift'));
    if (found.exitCode !== 0) throw new Error(`the drift step failed:\n${found.output}`);
    expect(found.outputs.drift).toBe('true');
    expect(found.summary).toContain('Drift: changed outside Terraform');
    expect(found.summary).toContain('(catalog.read) changed (description) outside Terraform');
  }
});
