/**
 * `npm start`'s flow end to end, in a temporary copy of the project: the real
 * embedded server, the real provider from the mirror, real `cdktf synth`, real
 * `terraform`, real tokens. Also: running it twice is safe, and a run killed
 * in the middle of its apply is converged by the next one.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { EMBEDDED_SERVER_NAME } from '../../lib/main-job/main-job';
import { declaredObjects, snapshotDifferences, TerraformConfig } from '../support/declared-model';
import { startServer } from '../support/embedded-server';
import { freePort } from '../support/free-port';
import { testEnvironment } from '../support/environment';
import { PROJECT_ROOT as ROOT, temporaryProject } from '../support/temporary-project';
import { requireTerraform } from '../support/terraform';
import { waitFor } from '../support/wait-for';

// A whole synth, plan, apply, plan and token round takes a minute or two on a quiet machine; the kill test runs it twice. Generous, for a loaded one.
jest.setTimeout(600_000);

interface Run {
  code: number | null;
  output: string;
}

function startMainJob(project: string, env: Record<string, string> = {}, args: string[] = []): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/procurement-scopes.js'), 'main', ...args], {
    cwd: project,
    env: testEnvironment(env),
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

/** Fails with the job's whole output (stdout and stderr) when it did not exit with `code`: the code alone says nothing of why. */
function expectExit(run: Run, code: number | null): void {
  if (run.code !== code) throw new Error(`the job exited with ${run.code}, expected ${code}; its output:\n${run.output}`);
}

function section(output: string, heading: string): string {
  const start = output.indexOf(heading);
  if (start < 0) throw new Error(`no step '${heading}' in the job's output:\n${output}`);
  const next = output.indexOf('\n[', start + heading.length);
  return output.slice(start, next === -1 ? undefined : next);
}

/** The objects the dev stack of a project declares, read from what the job synthesized. */
function declaredBy(project: string) {
  return declaredObjects(JSON.parse(readFileSync(join(project, 'cdktf.out/stacks/dev/cdk.tf.json'), 'utf8')) as TerraformConfig);
}

/** The verdict line of every client, as `verify` prints them. */
function verdicts(output: string): string[] {
  return tokenLines(output).filter(line => / (match|MISMATCH|not verified)$/.test(line));
}

/** `✓ <client>: match` for every client the project declares. */
function allMatch(project: string): string[] {
  return declaredBy(project)
    .filter(object => object.kind === 'clients')
    .map(object => `✓ ${object.key}: match`)
    .sort();
}

/** What each client asked for and got, without what changes between runs (the port, the timing). */
function tokenLines(output: string): string[] {
  return section(output, 'Request a token for every client')
    .split('\n')
    .map(line => line.trim())
    .filter(line => /^(✓|✗|\?) |^asked:|^got:|^other scopes/.test(line));
}

/** Every stored client secret of a project, by file name. */
function storedSecrets(project: string): Record<string, string> {
  // Per stack and server: the starter's dev and prod stacks declare the same client ids. The embedded server goes by
  // one name whatever its port, so that a run on another port (below) finds the secrets of the first.
  const dir = join(project, '.procurement/secrets/dev', EMBEDDED_SERVER_NAME);
  return Object.fromEntries(readdirSync(dir).map(file => [file, readFileSync(join(dir, file), 'utf8')]));
}

describe('the main job (npm start)', () => {
  let project: string;
  let first: Run;

  // The first run is every test's starting point, so each test also passes alone.
  beforeAll(async () => {
    requireTerraform();
    project = temporaryProject();
    first = await startMainJob(project).done;
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test('applies the dev stack, plans clean afterwards and every client gets exactly its scopes', () => {
    expectExit(first, 0);
    expect(first.output).not.toMatch(/error:/);
    // The model objects, and the stack's procurement_policy.
    const resources = declaredBy(project).length + 1;
    expect(section(first.output, 'Plan against the live server')).toContain(`Plan: ${resources} to add, 0 to change, 0 to destroy`);
    expect(section(first.output, 'Apply')).toContain(`Apply complete! Resources: ${resources} added, 0 changed, 0 destroyed`);
    expect(section(first.output, 'Plan again (must report no changes)')).toMatch(/no changes/);
    const expected = allMatch(project);
    expect([...verdicts(first.output)].sort()).toEqual(expected);
    expect(first.output).toContain(`✓ All ${expected.length} clients get exactly the scopes the code declares`);
  });

  test('running it again is safe: nothing to change, the same secrets and the same tokens', async () => {
    const secretsBefore = storedSecrets(project);
    expect(Object.keys(secretsBefore).length).toBe(allMatch(project).length);
    const port = await freePort();
    const again = await startMainJob(project, {}, ['--port', String(port)]).done;
    expectExit(again, 0);
    expect(again.output).toMatch(new RegExp(`embedded server listening on https?://[^:/]+:${port}\\b`));
    expect(section(again.output, 'Plan against the live server')).toMatch(/no changes: the server already matches the code/);
    expect(section(again.output, 'Apply')).toMatch(/nothing to apply/);
    expect(again.output).not.toContain('issued a new secret');
    expect(storedSecrets(project)).toEqual(secretsBefore);
    // Same credentials, and every client's token carries the same scopes as in the first run.
    expect(tokenLines(again.output)).toEqual(tokenLines(first.output));
  });

  test('a run killed after its apply wrote to the server and before the apply ended is converged by the next run', async () => {
    const fresh = temporaryProject();
    try {
      // One write at a time, so the apply lasts long enough to be caught in the middle on any machine.
      const job = startMainJob(fresh, { TF_CLI_ARGS_apply: '-parallelism=1' });
      const ended = () => (job.child.exitCode !== null || job.child.signalCode !== null ? `the job ended:\n${job.output()}` : null);
      const listening = () => /embedded server listening on (\S+)/.exec(job.output())?.[1];
      await waitFor(() => listening() !== undefined, 'the embedded server', 120_000, ended);
      const url = listening()!;
      const dataDir = join(fresh, '.procurement/server');
      const admin = new AdminClient({ url, adminToken: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), actor: 'test', maxAttempts: 1 });
      await waitFor(() => job.output().includes('] Apply\n'), 'the Apply step', 120_000, ended);
      await waitFor(async () => (await admin.snapshot()).revision > 0, 'the first write of the apply', 120_000, ended);
      process.kill(-job.child.pid!, 'SIGKILL');
      const killed = await job.done;
      expectExit(killed, null);
      expect(killed.output).not.toContain('Apply complete');

      // What the killed run left on the server: a start, not the whole stack.
      const left = await startServer({ dataDir });
      const partial = await left.admin.snapshot();
      await left.stop();
      const written = partial.scopes.length + partial.roles.length + partial.clients.length + partial.roleBindings.length;

      const rerun = await startMainJob(fresh).done;
      expectExit(rerun, 0);
      expect(section(rerun.output, 'Plan again (must report no changes)')).toMatch(/no changes/);
      expect([...verdicts(rerun.output)].sort()).toEqual(allMatch(fresh));

      const declared = declaredBy(fresh);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(declared.length);
      const after = await startServer({ dataDir });
      try {
        expect(snapshotDifferences(declared, await after.admin.snapshot())).toEqual([]);
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('a state file left empty by a run killed while terraform saved it is put back to the last whole one, and the run converges', async () => {
    // Terraform's local backend truncates terraform.tfstate, then writes it: a kill between the two leaves it empty,
    // which terraform reads as no state at all (every object would "already exist"). Made here without racing a kill.
    const stateFile = join(project, 'terraform.dev.tfstate'); // cdktf's local backend
    const whole = readFileSync(stateFile, 'utf8');
    writeFileSync(stateFile, '');
    const run = await startMainJob(project).done;
    expectExit(run, 0);
    const serial = (JSON.parse(whole) as { serial: number }).serial;
    expect(section(run.output, 'Plan against the live server')).toContain(
      `${stateFile} was empty (left so by a run stopped while terraform saved it; now terraform.dev.tfstate.broken): ` +
        `restored the last whole state, serial ${serial}, from ${join(project, '.procurement/state/dev.tfstate')}`,
    );
    expect(section(run.output, 'Plan against the live server')).toMatch(/no changes: the server already matches the code/);
    expect(readFileSync(stateFile, 'utf8')).toBe(whole);
    expect(tokenLines(run.output)).toEqual(tokenLines(first.output));
  });

  test('fails when the stack does not exist, naming the stacks the app defines', async () => {
    const run = await startMainJob(project, {}, ['--stack', 'staging']).done;
    expectExit(run, 2);
    expect(run.output).toContain("the app defines no stack 'staging': its stacks are dev, prod");
    expect(run.output).not.toContain('terraform is not on PATH');
  });
});

describe('the main job against the team\'s own server (npm start -- --downstream rfc7592)', () => {
  let project: string;

  beforeAll(() => {
    requireTerraform();
    project = temporaryProject();
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test('applies through the control plane, and every client gets exactly its scopes from node-oidc-provider; a second run changes nothing', async () => {
    const run = await startMainJob(project, {}, ['--downstream', 'rfc7592']).done;
    expect(run.output).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    const issuer = /node-oidc-provider at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output)![1];
    expect(section(run.output, 'Request a token for every client')).toContain(issuer);
    expect(verdicts(run.output).sort()).toEqual(allMatch(project));
    // Every client asked with the id node-oidc-provider assigned it, kept beside its secret.
    for (const [file, text] of Object.entries(storedSecrets(project))) expect({ file, id: (JSON.parse(text) as { downstreamClientId?: string }).downstreamClientId }).toEqual({ file, id: expect.any(String) });

    const again = await startMainJob(project, {}, ['--downstream', 'rfc7592']).done;
    expect(again.code).toBe(0);
    expect(again.output).toContain(`node-oidc-provider at ${issuer}`);
    expect(section(again.output, 'Plan against the live server')).toContain('no changes');
    expect(verdicts(again.output).sort()).toEqual(allMatch(project));
  });
});
