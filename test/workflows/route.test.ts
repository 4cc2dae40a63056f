/**
 * A plan that changes the procurement_policy goes to the protected environment that holds the admin token, and
 * every other plan to the write token's: the apply workflow as parsed from its YAML (the route job between the plan
 * and the apply jobs, the apply job's matrix and environment taken from it), and the route job's own step run off
 * GitHub on plan artifacts as download-artifact lays them out. The decision on a real plan is in
 * workflow-steps.test.ts; the role a plan needs (`plan-guard role`) in test/review/plan-guard.test.ts.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/temporary-project';
import { JobRunner, loadWorkflow, stepOf } from './workflow-runner';

const ROUTE = 'Route each plan to the environment holding the token it needs';
const APPLY = 'Apply exactly the reviewed plan (refused if the server or the state changed since)';

interface Job {
  needs?: string | string[];
  environment?: string;
  outputs?: Record<string, string>;
  strategy?: { 'max-parallel'?: number; matrix?: Record<string, unknown> };
  steps: { name?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string> }[];
}

const workflow = loadWorkflow(join(PROJECT_ROOT, '.github', 'workflows', 'procurement-apply.yml'));
const jobs = workflow.jobs as unknown as Record<string, Job>;

describe('routing reviewed plans to the environment holding the token they need', () => {
  const runners: JobRunner[] = [];
  afterAll(() => {
    for (const runner of runners) rmSync(runner.temp, { recursive: true, force: true });
  });

  /** The route step on plan artifacts whose apply-role files say `roles` (undefined: no file). */
  async function route(roles: Record<string, string | undefined>) {
    const runner = new JobRunner(PROJECT_ROOT, { secrets: {}, vars: {}, matrix: {} });
    runners.push(runner);
    mkdirSync(join(runner.temp, 'plans'));
    for (const [stack, role] of Object.entries(roles)) {
      mkdirSync(join(runner.temp, 'plans', `plan-${stack}`), { recursive: true });
      if (role !== undefined) writeFileSync(join(runner.temp, 'plans', `plan-${stack}`, 'apply-role'), `${role}\n`);
    }
    return { runner, result: await runner.run(stepOf(workflow, 'route', ROUTE)) };
  }

  test('the workflow: plan, then route, then one apply job whose matrix and environment come from the route', () => {
    expect(jobs.route.needs).toBe('plan');
    const download = jobs.route.steps.find(step => step.name === 'Download the reviewed plans')!;
    expect(download.uses).toMatch(/^actions\/download-artifact@/);
    // Every stack's artifact, each in a directory of its own (plan-<stack>), where the route step reads it.
    expect(download.with).toEqual({ pattern: 'plan-*', path: '${{ runner.temp }}/plans' });
    expect(jobs.route.outputs).toEqual({ plans: '${{ steps.route.outputs.plans }}' });

    expect(jobs.apply.needs).toBe('route');
    expect(jobs.apply.environment).toBe('${{ matrix.environment }}');
    expect(jobs.apply.strategy).toEqual({ 'max-parallel': 1, matrix: { include: '${{ fromJSON(needs.route.outputs.plans) }}' } });
    // The write token always; the admin token only where the environment holds it, and apply.sh takes it only for a
    // plan that changes the policy.
    expect(stepOf(workflow, 'apply', APPLY).env).toMatchObject({
      PROCUREMENT_ADMIN_TOKEN: '${{ secrets.PROCUREMENT_WRITE_TOKEN }}',
      PROCUREMENT_POLICY_ADMIN_TOKEN: '${{ secrets.PROCUREMENT_POLICY_ADMIN_TOKEN }}',
    });
    expect(Object.keys(jobs)).toEqual(['stacks', 'plan', 'route', 'apply']);
  });

  test('a policy plan goes to production-policy, every other plan to production, one matrix entry per stack', async () => {
    const { result } = await route({ prod: 'admin', dev: 'write', staging: 'write' });
    expect(result).toMatchObject({ exitCode: 0 });
    const plans = JSON.parse(result.outputs.plans) as Record<string, string>[];
    expect(plans).toEqual([
      { stack: 'dev', role: 'write', environment: 'production' },
      { stack: 'prod', role: 'admin', environment: 'production-policy' },
      { stack: 'staging', role: 'write', environment: 'production' },
    ]);
    // What the apply job's `environment:` and download step make of each matrix entry.
    const apply = plans.map(matrix => new JobRunner(PROJECT_ROOT, { secrets: {}, vars: {}, matrix }));
    runners.push(...apply);
    expect(apply.map(job => job.evaluate(jobs.apply.environment!))).toEqual(['production', 'production-policy', 'production']);
    const download = jobs.apply.steps.find(step => step.name === 'Download the reviewed plan')!;
    expect(apply.map(job => job.evaluate(download.with!.name))).toEqual(['plan-dev', 'plan-prod', 'plan-staging']);
  });

  test('a plan without its apply-role, or with another word in it, stops the route: plan again', async () => {
    const missing = await route({ dev: undefined });
    expect(missing.result.exitCode).toBe(2);
    expect(missing.result.output).toContain(`${join(missing.runner.temp, 'plans', 'plan-dev', 'apply-role')} should say admin or write (plan.sh writes it), but is missing: plan the stack again`);
    const wrong = await route({ dev: 'root' });
    expect(wrong.result.exitCode).toBe(2);
    expect(wrong.result.output).toContain("but says 'root': plan the stack again");
    const none = await route({});
    expect(none.result.exitCode).toBe(2);
    expect(none.result.output).toContain('holds no plan-<stack> artifact');
  });
});
