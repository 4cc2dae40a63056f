/**
 * A state cut short by a run killed while terraform saved it, then put back by
 * checkLocalState to the last whole state, which is older than the server: with
 * the real terraform, the real provider and the real embedded server, the next
 * plan succeeds (the objects created after that state are creates retried with
 * their recorded manager ids, not objects that "already exist"), the apply
 * converges and the plan afterwards is clean. The disk is made as such a kill
 * leaves it, without racing one: an apply that created objects, then its state
 * file cut short.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLocalState } from '../../lib/terraform/local-state';
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

const scope = (name: string) => ({ name, description: `Scope ${name}`, risk: 'low' });

describe('a restored older state and the objects created after it', () => {
  const fixture = serverAndWorkspace();

  test('the next plan retries their creates, the apply converges, and the plan after it is clean', async () => {
    const { server, tf } = fixture;
    const stateFile = join(tf.dir, 'terraform.tfstate');
    const kept = join(tf.dir, '..', 'kept.tfstate');
    tf.writeConfig({ resource: { procurement_scope: { read: scope('catalog.read') } } });
    expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);
    // A plan reads catalog.read back from the state, which settles its create: only later creates stay in doubt.
    expectExit(await tf.plan(), 0);
    expect(checkLocalState(stateFile, kept)).toBeNull();

    tf.writeConfig({ resource: { procurement_scope: { read: scope('catalog.read'), write: scope('catalog.write'), order: scope('order.read') } } });
    expectExit(await tf.apply(), 0);
    const managers = { write: await server.admin.manager('scopes', 'catalog.write'), order: await server.admin.manager('scopes', 'order.read') };
    const whole = readFileSync(stateFile, 'utf8');
    writeFileSync(stateFile, whole.slice(0, Math.floor(whole.length / 2)));
    // What the cut costs without the restore: terraform cannot load the state at all.
    const unreadable = await tf.plan();
    expectExit(unreadable, 1);
    expect(unreadable.stderr).toMatch(/Unsupported state file format: The state file could not be parsed as JSON/);

    const restored = checkLocalState(stateFile, kept)!;
    expect(restored.from).toEqual({ file: `${stateFile}.backup`, serial: expect.any(Number) });
    const plan = await tf.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expectExit(await tf.apply(), 0);
    expectExit(await tf.plan(), 0);
    // The same objects, with the managers the interrupted apply gave them.
    expect({ write: await server.admin.manager('scopes', 'catalog.write'), order: await server.admin.manager('scopes', 'order.read') }).toEqual(managers);
    const addresses = (await tf.state()).json.values?.root_module?.resources?.map(r => r.address).sort();
    expect(addresses).toEqual(['procurement_scope.order', 'procurement_scope.read', 'procurement_scope.write']);
  });
});
