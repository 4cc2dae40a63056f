/**
 * Terraform sees a binding's subjects as a list (a set of objects made every
 * plan several times slower, see ObjectListSpec), yet their order must never make a
 * diff: the server answers subjects sorted, the configuration may list them in
 * any order, and reads keep the order the state already has.
 */
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

const CLIENTS = ['zeta', 'alpha', 'mid'];

function configuration(subjectOrder: string[]) {
  return {
    resource: {
      procurement_scope: { read: { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low' } },
      procurement_role: { reader: { name: 'reader', description: 'Readers', scopes: ['${procurement_scope.read.name}'] } },
      procurement_client: Object.fromEntries(CLIENTS.map(id => [id, { client_id: id, display_name: id, owner: 'team' }])),
      procurement_role_binding: {
        readers: {
          name: 'readers',
          role: '${procurement_role.reader.name}',
          subject: subjectOrder.map(id => ({ client_id: `\${procurement_client.${id}.client_id}`, justification: `CHG-${id}` })),
        },
      },
    },
  };
}

describe('order of a role binding\'s subjects', () => {
  const fixture = serverAndWorkspace();

  beforeAll(async () => {
    fixture.tf.writeConfig(configuration(CLIENTS));
    expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
  });

  test('subjects listed in another order than the server answers them make no diff', async () => {
    expect((await fixture.server.admin.get('role-bindings', 'readers'))?.value.subjects.map(s => s.clientId)).toEqual(['alpha', 'mid', 'zeta']);
    expectExit(await fixture.tf.plan(), 0);
  });

  test('a subject removed out of band is planned back alone, and after apply the plan is clean', async () => {
    const binding = (await fixture.server.admin.get('role-bindings', 'readers'))!.value;
    await fixture.server.admin.put('role-bindings', { ...binding, subjects: binding.subjects.filter(s => s.clientId !== 'zeta') }, 'readers', { overrideReason: 'test: changed out of band' });
    const plan = await fixture.tf.plan();
    expectExit(plan, 2);
    // `subject` is a list nested attribute (cdktf's generator understands it): Terraform's plan renderer compares
    // nested list elements by index, so zeta, first in the configuration, shows as the elements after it shifting.
    expect(plan.stdout).toContain('procurement_role_binding.readers will be updated in-place');
    expect(plan.stdout).toMatch(/client_id\s+= "alpha" -> "zeta"/);
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expectExit(await fixture.tf.apply(), 0);
    expect((await fixture.server.admin.get('role-bindings', 'readers'))?.value.subjects.map(s => s.clientId)).toEqual(['alpha', 'mid', 'zeta']);
    expectExit(await fixture.tf.plan(), 0);
  });

  test('a subject changed out of band shows as that subject changing, not as a reordering', async () => {
    const binding = (await fixture.server.admin.get('role-bindings', 'readers'))!.value;
    const subjects = binding.subjects.map(s => (s.clientId === 'alpha' ? { ...s, justification: 'edited by hand' } : s));
    await fixture.server.admin.put('role-bindings', { ...binding, subjects }, 'readers', { overrideReason: 'test: changed out of band' });
    const plan = await fixture.tf.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toMatch(/~ justification\s+= "edited by hand" -> "CHG-alpha"/);
    expect(plan.stdout).not.toMatch(/[-+~] client_id/);
    expectExit(await fixture.tf.apply(), 0);
    expectExit(await fixture.tf.plan(), 0);
  });
});
