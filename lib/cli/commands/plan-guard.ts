/**
 * `procurement-scopes plan-guard record|check`: apply exactly the reviewed
 * plan, or nothing. `record` (before `terraform plan -out`) writes the
 * server's revision and the state's serial to a file kept beside the plan;
 * `check` (before `terraform apply <planfile>`) refuses, exit 4, when either
 * moved since. A read token is enough for both. `check --plan` also refuses
 * a plan that changes the server's policy unless the token is an admin's: run
 * with the token that will apply, it stops a write token before Terraform
 * writes anything, so that an admin can still apply the same saved plan.
 * `role` says which token a plan needs, so that CI routes it to the job
 * holding that token.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../model/errors';
import { AdminConnectionOptions, connectAdmin, withAdminConnection } from './admin-connection';

interface GuardOptions extends AdminConnectionOptions {
  state?: string;
  plan?: string;
}

export function register(program: Command): void {
  const command = program
    .command('plan-guard')
    .description('record the server revision and state serial beside a plan, and refuse to apply it once either changed')
    .addHelpText('after', '\nExit codes: 0 unchanged (check) or recorded, 4 changed since the plan, 2 bad arguments or files, 3 server unreachable.');
  withOptions(command.command('record').description('write the server revision and the state serial to a file, before terraform plan'))
    .requiredOption('--out <file>', 'the file to write (keep it with the plan file)')
    .action(async (opts: GuardOptions & { out: string }) => {
      const { writeFileSync } = await import('node:fs');
      const { PLAN_GUARD_FORMAT } = await import('../../review/plan-guard.js');
      const current = await readCurrent(opts);
      writeFileSync(opts.out, `${JSON.stringify({ format: PLAN_GUARD_FORMAT, ...current, recordedAt: new Date().toISOString() }, null, 2)}\n`);
      process.stdout.write(`recorded server revision ${current.revision} and ${current.state ? `state serial ${current.state.serial}` : 'no state yet'} in ${opts.out}\n`);
    });
  withOptions(command.command('check').description('refuse (exit 4) when the server or the state changed since the plan; run before terraform apply <planfile>'))
    .argument('<file>', 'the file plan-guard record wrote')
    .option('--plan <file>', "the plan to apply, as 'terraform show -json <planfile>' prints it: refused unless the token is an admin's when it changes the policy")
    .action(async (file: string, opts: GuardOptions) => {
      const { EXIT } = await import('../../model/errors.js');
      const { changesSincePlan, parsePlanGuard } = await import('../../review/plan-guard.js');
      const planned = parsePlanGuard(readText(file, 'plan guard'), file);
      const changes = changesSincePlan(planned, await readCurrent(opts));
      if (changes.length > 0) {
        process.stderr.write(
          `refusing to apply: ${changes.join('; ')}.\nThe reviewed plan no longer describes what apply would do. Run the plan again (re-run the workflow) and review the new plan.\n`,
        );
        process.exitCode = EXIT.mismatch;
        return;
      }
      const policy = opts.plan === undefined ? null : await policyRefusal(opts.plan, opts);
      if (policy) {
        process.stderr.write(`${policy}\n`);
        process.exitCode = EXIT.mismatch;
        return;
      }
      process.stdout.write(`unchanged since the plan (server revision ${planned.revision}, ${planned.state ? `state serial ${planned.state.serial}` : 'no state'}): apply may proceed\n`);
    });
  command
    .command('role')
    .description("print the role of the token that applies a plan: 'admin' when it changes the procurement_policy, else 'write' (no server needed)")
    .argument('<plan.json>', "the plan, as 'terraform show -json <planfile>' prints it")
    .action(async (planFile: string) => {
      const { applyRoleOf } = await import('../../review/plan-guard.js');
      const { parsePlan } = await import('../../review/plan-json.js');
      process.stdout.write(`${applyRoleOf(parsePlan(readText(planFile, 'plan'), planFile))}\n`);
    });
}

function withOptions(command: Command): Command {
  return withAdminConnection(command.option('--state <file>', "the output of 'terraform state pull' (empty when there is no state yet)"), 'a read token is enough');
}

async function readCurrent(opts: GuardOptions) {
  const { stateVersionOf } = await import('../../review/plan-guard.js');
  const { asCliError } = await import('../../verify/server-connection.js');
  if (opts.state === undefined) throw new UsageError("pass --state <file> with the output of 'terraform state pull' (an empty file when there is no state yet)");
  const state = stateVersionOf(readText(opts.state, 'state'), opts.state);
  const { url: server, admin } = await connectAdmin(opts, { actor: 'procurement-scopes plan-guard', maxAttempts: 3 });
  const revision = await admin.revision().catch(e => asCliError(e, server, 'read the server revision'));
  return { server, revision, state };
}

/** Why the token given may not apply this plan (it changes the policy and is no admin's); null when it may. */
async function policyRefusal(planFile: string, opts: GuardOptions): Promise<string | null> {
  const { policyChangeOf } = await import('../../review/plan-guard.js');
  const { parsePlan } = await import('../../review/plan-json.js');
  const { asCliError } = await import('../../verify/server-connection.js');
  const plan = parsePlan(readText(planFile, 'plan'), planFile);
  const { url: server, admin } = await connectAdmin(opts, { actor: 'procurement-scopes plan-guard', maxAttempts: 3 });
  const live = await admin.policy().catch(e => asCliError(e, server, 'read the policy'));
  const change = policyChangeOf(plan, { document: live.value, source: live.source });
  if (change === null) return null;
  const { name, role } = await admin.whoami().catch(e => asCliError(e, server, 'read the token\'s role'));
  if (role === 'admin') return null;
  const what = change === 'preset' ? 'puts the preset policy back (it destroys the procurement_policy)' : `changes the '${change.environment}' policy`;
  return (
    `refusing to apply: this plan ${what}, and the token given ('${name}') has the ${role} role: only an admin token changes the ` +
    'policy, and a refused apply would still write the state, so that the saved plan could no longer be applied. Nothing was applied. ' +
    'Apply this same saved plan with an admin token (PROCUREMENT_POLICY_ADMIN_TOKEN in the apply job, or by hand: ' +
    'docs/ci-workflows.md, "Shipping a policy change").'
  );
}

function readText(file: string, what = 'file'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
