/**
 * `npm start`'s flow end to end, in a temporary copy of the project: the real
 * embedded server, the real provider from the mirror, real `cdktf synth`, real
 * `terraform`, real tokens. Also: running it twice is safe, and a run killed
 * in the middle of its apply is converged by the next one.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT as ROOT, temporaryProject } from '../support/temporary-project';
import { requireTerraform } from '../support/terraform';

interface Run {
  code: number | null;
  output: string;
}

function startMainJob(project: string, ...args: string[]): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/procurement-scopes.js'), 'main', ...args], {
    cwd: project,
    env: { ...process.env, PROCUREMENT_URL: '', PROCUREMENT_ADMIN_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that killing the job also kills the terraform it started.
    detached: true,
  });
  const chunks: string[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
  const done = new Promise<Run>(res => child.on('close', code => res({ code, output: chunks.join('') })));
  return { child, done, output: () => chunks.join('') };
}

function section(output: string, heading: string): string {
  const start = output.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = output.indexOf('\n[', start + heading.length);
  return output.slice(start, next === -1 ? undefined : next);
}

describe('the main job (npm start)', () => {
  let project: string;

  beforeAll(() => {
    requireTerraform();
    project = temporaryProject();
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test('applies the dev stack, plans clean afterwards and every client gets exactly its scopes', async () => {
    const run = await startMainJob(project).done;
    expect(run.output).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    expect(section(run.output, 'Plan against the live server')).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(section(run.output, 'Apply')).toMatch(/Apply complete! Resources: \d+ added/);
    expect(section(run.output, 'Plan again (must report no changes)')).toMatch(/no changes/);
    const tokens = section(run.output, 'Request a token for every client');
    for (const client of ['erp-connector', 'approval-bot', 'invoice-processor', 'budget-service', 'ticketing-integration']) {
      expect(tokens).toMatch(new RegExp(`✓ ${client}: match`));
    }
    expect(tokens).not.toMatch(/MISMATCH/);
    expect(run.output).toMatch(/every client gets exactly its declared scopes/);
  });

  test('running it again is safe: nothing to change, the same tokens', async () => {
    const run = await startMainJob(project).done;
    expect(run.code).toBe(0);
    expect(section(run.output, 'Plan against the live server')).toMatch(/no changes: the server already matches the code/);
    expect(section(run.output, 'Apply')).toMatch(/nothing to apply/);
  });

  test('a run killed during its apply is converged by the next run', async () => {
    const fresh = temporaryProject();
    try {
      const job = startMainJob(fresh);
      await new Promise<void>((res, rej) => {
        const timer = setInterval(() => {
          if (job.output().includes('] Apply\n')) {
            clearInterval(timer);
            // Let terraform get some creates through first, so the kill leaves the server ahead of the state.
            setTimeout(() => {
              process.kill(-job.child.pid!, 'SIGKILL');
              res();
            }, 400);
          }
        }, 20);
        job.done.then(() => {
          clearInterval(timer);
          rej(new Error(`the job ended before it could be interrupted:\n${job.output()}`));
        });
      });
      const killed = await job.done;
      expect(killed.code).toBeNull();

      const rerun = await startMainJob(fresh).done;
      expect(rerun.code).toBe(0);
      expect(section(rerun.output, 'Plan again (must report no changes)')).toMatch(/no changes/);
      expect(section(rerun.output, 'Request a token for every client')).not.toMatch(/MISMATCH/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('fails when the stack does not exist, naming the stacks the app defines', async () => {
    const run = await startMainJob(project, '--stack', 'staging').done;
    expect(run.code).toBe(2);
    expect(run.output).toContain("the app defines no stack 'staging': its stacks are dev, prod");
    expect(run.output).not.toContain('terraform is not on PATH');
  });
});
