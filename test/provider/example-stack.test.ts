/**
 * The example stack end to end: `cdktf synth` (in a throwaway copy of the
 * project, so that its local backend's state file is not the repository's)
 * writes Terraform JSON that the real terraform plans and applies with this
 * provider against the embedded server; the server then holds exactly what
 * the stack declares, and a second plan finds nothing to change.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { declaredObjects, snapshotDifferences, TerraformConfig } from '../support/declared-model';
import { testEnvironment } from '../support/environment';
import { serverAndWorkspace } from '../support/provider-fixture';
import { temporaryProject } from '../support/temporary-project';
import { expectExit } from '../support/terraform';

// cdktf synth, then a plan, an apply and a plan: generous, for a loaded machine.
jest.setTimeout(300_000);

describe('example stack through cdktf synth and terraform', () => {
  const fixture = serverAndWorkspace();
  let project: string;

  beforeAll(() => {
    project = temporaryProject();
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test('first plan adds every resource of the stack, apply creates exactly them, second plan is clean', async () => {
    const out = join(project, 'out');
    await promisify(execFile)('npx', ['--no-install', 'cdktf', 'synth', '--output', out], { cwd: project, env: testEnvironment({ CI: '1' }) });
    const stackFile = join(out, 'stacks/dev/cdk.tf.json');
    const config = JSON.parse(readFileSync(stackFile, 'utf8')) as TerraformConfig & { terraform: { backend: { local: { path: string } } } };
    // cdktf's default local backend writes beside the working directory it synthesized in: the copy, never the repository.
    expect(config.terraform.backend.local.path).toBe(join(project, 'terraform.dev.tfstate'));
    copyFileSync(stackFile, join(fixture.tf.dir, 'cdk.tf.json'));
    expectExit(await fixture.tf.init(), 0);

    const declared = declaredObjects(config);
    const resources = Object.values(config.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    // The model objects, and the stack's procurement_policy.
    expect(resources).toBe(declared.length + 1);
    const first = await fixture.tf.plan();
    expectExit(first, 2);
    expect(first.stdout).toContain(`Plan: ${resources} to add, 0 to change, 0 to destroy.`);
    expectExit(await fixture.tf.apply(), 0);

    expect(snapshotDifferences(declared, await fixture.server.admin.snapshot())).toEqual([]);
    const policy = config.resource!.procurement_policy.dev as { document: string };
    expect((await fixture.server.admin.policy()).value).toEqual(JSON.parse(policy.document));
    expectExit(await fixture.tf.plan(), 0);
  });
});
