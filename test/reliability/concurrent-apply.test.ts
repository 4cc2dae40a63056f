/**
 * Two applies at once against one state (the `local` backend, which locks
 * the state file): the second is refused by the state lock and writes
 * nothing; the first completes; the server then holds exactly the
 * configuration and a plan is clean.
 */
import { declaredObjects, snapshotDifferences } from '../support/declared-model';
import { EmbeddedServer } from '../support/embedded-server';
import { snapshotProblems } from '../support/store-integrity';
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';
import { allAuditEntries } from './audit-log';
import { generatedConfig, resourceCount } from './generated-config';

async function waitForWrites(server: EmbeddedServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await server.admin.snapshot()).revision === 0) {
    if (Date.now() > deadline) throw new Error(`the first apply wrote nothing within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 25));
  }
}

describe('two applies at once against one state', () => {
  const fixture = serverAndWorkspace();

  test('the second is refused by the state lock; nothing is lost', async () => {
    const config = generatedConfig({ clients: 100, scopes: 40, roles: 20, grants: 200 });
    const declared = declaredObjects(config);
    expect(resourceCount(config)).toBeGreaterThanOrEqual(150);
    fixture.tf.writeConfig(config);
    expectExit(await fixture.tf.init(), 0);

    const first = fixture.tf.apply();
    // Writes have begun: the first apply is past planning and holds the lock.
    await waitForWrites(fixture.server, 60_000);
    const second = await fixture.tf.apply();
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain('Error acquiring the state lock');
    expectExit(await first, 0);

    expectExit(await fixture.tf.plan(), 0);
    const snapshot = await fixture.server.admin.snapshot();
    expect(snapshotDifferences(declared, snapshot)).toEqual([]);
    expect(snapshotProblems(snapshot)).toEqual([]);
    // Only the first apply wrote: one create per object, no updates, all with the provider's token (the bootstrap one here).
    const audit = await allAuditEntries(fixture.server.admin);
    expect(audit.map(e => `${e.action} ${e.kind}/${e.key}`).sort()).toEqual(declared.map(d => `create ${d.kind}/${d.key}`).sort());
    expect(new Set(audit.map(e => `${e.actor} (${e.actorNote})`))).toEqual(new Set(['bootstrap (terraform-provider-procurement)']));
  });
});
