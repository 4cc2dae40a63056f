/**
 * The example stack end to end: `cdktf synth` writes Terraform JSON that the
 * real terraform plans and applies with this provider against the embedded
 * server, and a second plan finds nothing to change.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

const ROOT = resolve(__dirname, '../..');

describe('example stack through cdktf synth and terraform', () => {
  let server: EmbeddedServer;
  let tf: Workspace;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'procurement-synth-'));
    server = await startServer();
    tf = await createWorkspace({ url: server.url, adminToken: server.adminToken });
  });
  afterAll(async () => {
    tf?.remove();
    rmSync(out, { recursive: true, force: true });
    await server?.stop();
  });

  test('first plan adds the stack, apply creates it, second plan is clean', async () => {
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', out], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1' },
    });
    copyFileSync(join(out, 'stacks/dev/cdk.tf.json'), join(tf.dir, 'cdk.tf.json'));
    expectExit(await tf.init(), 0);

    const first = await tf.plan();
    expectExit(first, 2);
    expect(first.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(first.stdout).toContain('procurement_role_binding.');
    expectExit(await tf.apply(), 0);

    const snapshot = await server.admin.snapshot();
    expect(snapshot.scopes.length).toBeGreaterThan(0);
    expect(snapshot.roleBindings.length).toBeGreaterThan(0);
    expectExit(await tf.plan(), 0);
  });
});
