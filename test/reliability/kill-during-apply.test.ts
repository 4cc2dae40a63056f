/**
 * The server is killed (SIGKILL) in the middle of an apply of a few hundred
 * resources. The interrupted apply fails saying the server cannot be
 * reached; the server restarts on the same data directory and port with a
 * consistent store; a second apply converges to exactly the configuration,
 * with nothing duplicated and nothing lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredObjects, snapshotDifferences } from '../support/declared-model';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { snapshotProblems, sqliteIntegrityProblems } from '../support/store-integrity';
import { createWorkspace, expectExit, flat, Workspace } from '../support/terraform';
import { waitFor } from '../support/wait-for';
import { allAuditEntries } from './audit-log';
import { generatedConfig, resourceCount } from './generated-config';

/** Writes acknowledged before the kill: enough that the apply is well under way, few enough that most is still to do. */
const KILL_AFTER_REVISION = 40;

describe('kill -9 of the server during an apply', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'procurement-kill-'));
  let server: EmbeddedServer;
  let tf: Workspace;

  beforeAll(async () => {
    server = await startServer({ dataDir });
    tf = await createWorkspace({ url: server.url, adminToken: server.adminToken });
  });
  afterAll(async () => {
    tf?.remove();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the interrupted apply fails clearly, the restarted server is consistent, a second apply converges', async () => {
    const config = generatedConfig({ clients: 200, scopes: 60, roles: 30, grants: 400 });
    const declared = declaredObjects(config);
    expect(resourceCount(config)).toBeGreaterThanOrEqual(300);
    tf.writeConfig(config);
    expectExit(await tf.init(), 0);

    let ended = false;
    const interrupted = tf.apply().finally(() => (ended = true));
    let revisionAtKill = 0;
    // The apply plans 330 resources before its first write: minutes on a loaded machine.
    await waitFor(
      async () => (revisionAtKill = (await server.admin.snapshot()).revision) >= KILL_AFTER_REVISION,
      `the apply's first ${KILL_AFTER_REVISION} writes`,
      240_000,
      () => (ended ? `the apply ended after only ${revisionAtKill} writes` : null),
    );
    await server.kill9();
    // Down until the interrupted apply has ended, so that every write in flight gave up on the server (its retries
    // spent) and none reached the restarted one. A fixed outage raced the provider's retry timers, which run late
    // on a loaded machine: retries that outlived it succeeded and the apply could end well.
    const failed = await interrupted;
    const url = server.url;
    await server.restart();
    expect(server.url).toBe(url);
    const afterKill = await server.admin.snapshot();
    // Every acknowledged write survived and nothing is half-written.
    expect(afterKill.revision).toBeGreaterThanOrEqual(revisionAtKill);
    expect(snapshotProblems(afterKill)).toEqual([]);

    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('Error: Cannot reach the authorization server');
    expect(flat(failed.stderr)).toContain(`cannot reach the authorization server at ${url}`);

    expectExit(await tf.apply(), 0);
    expectExit(await tf.plan(), 0);
    const snapshot = await server.admin.snapshot();
    expect(snapshotDifferences(declared, snapshot)).toEqual([]);
    expect(snapshotProblems(snapshot)).toEqual([]);

    // Each object was created once, even those whose creation was acknowledged but never reached Terraform.
    const creates = (await allAuditEntries(server.admin)).filter(e => e.action === 'create').map(e => `${e.kind}/${e.key}`);
    expect(creates.sort()).toEqual(declared.map(d => `${d.kind}/${d.key}`).sort());

    await server.kill9(); // the store must also be sound without a clean shutdown
    expect(sqliteIntegrityProblems(dataDir)).toEqual([]);
    // Three applies of 330 resources: on a busy 2-core machine this has taken 75 s.
  }, 600_000);
});
