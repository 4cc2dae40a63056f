/**
 * The provider as a Terraform user lives it, against the real embedded server
 * and the real terraform: install offline, create, plan clean, import, update
 * in place, replace on key change, destroy.
 */
import { serverAndWorkspace } from '../support/provider-fixture';
import { step } from '../support/step';
import { expectExit } from '../support/terraform';

const scope = (name: string, description: string) => ({ name, description, risk: 'low' });

function configuration(options: { readName?: string; readDescription?: string; extra?: object } = {}) {
  return {
    resource: {
      procurement_scope: {
        // Renaming a scope others reference: the new one must exist before the old one can go.
        read: { ...scope(options.readName ?? 'catalog.read', options.readDescription ?? 'Read supplier catalogs'), lifecycle: { create_before_destroy: true } },
        approve: { name: 'payment.approve', description: 'Approve payments', risk: 'critical', implies: ['${procurement_scope.read.name}'] },
        ...options.extra,
      },
      procurement_role: {
        buyer: { name: 'buyer', description: 'Buyers', scopes: ['${procurement_scope.read.name}'] },
      },
      procurement_client: {
        erp: { client_id: 'erp-connector', display_name: 'ERP connector', owner: 'team-erp', token_lifetime_seconds: 600 },
      },
      procurement_role_binding: {
        buyers: {
          name: 'buyers',
          role: '${procurement_role.buyer.name}',
          subject: [
            { client_id: '${procurement_client.erp.client_id}', expires_at: '2030-01-31T00:00:00Z', justification: 'CHG-1' },
          ],
        },
      },
    },
  };
}

const comment = { comment: { ...scope('ticket.comment', 'Comment on tickets'), external: true } };

describe('procurement provider lifecycle, from nothing', () => {
  // A workspace and a server of its own: what a first init and a first plan see does not depend on the tests below.
  const fixture = serverAndWorkspace();

  test('init installs the provider from the filesystem mirror, offline; the first plan adds everything, apply creates it on the server, the second plan is clean', async () => {
    fixture.tf.writeConfig(configuration());
    await step('init installs the provider from the filesystem mirror, offline', async () => {
      const init = await fixture.tf.init();
      expectExit(init, 0);
      expect(init.stdout).toMatch(/Installing procurement-scopes\/procurement v0\.1\.0/);
      expect((await fixture.tf.run('validate')).exitCode).toBe(0);
    });

    await step('first plan adds everything, apply creates it on the server, second plan is clean', async () => {
      const plan = await fixture.tf.plan();
      expectExit(plan, 2);
      expect(plan.stdout).toContain('Plan: 5 to add, 0 to change, 0 to destroy.');
      expectExit(await fixture.tf.apply(), 0);

      expect((await fixture.server.admin.get('scopes', 'payment.approve'))?.value).toEqual({
        name: 'payment.approve',
        description: 'Approve payments',
        risk: 'critical',
        external: false,
        implies: ['catalog.read'],
      });
      const client = (await fixture.server.admin.get('clients', 'erp-connector'))?.value;
      expect(client).toMatchObject({ tokenLifetimeSeconds: 600, grantTypes: ['client_credentials'], secretRotationDays: 90 });
      const binding = (await fixture.server.admin.get('role-bindings', 'buyers'))?.value;
      expect(binding?.subjects).toEqual([{ clientId: 'erp-connector', expiresAt: expect.stringMatching(/^2030-01-31T00:00:00(\.000)?Z$/), justification: 'CHG-1' }]);

      expectExit(await fixture.tf.plan(), 0);
    });
  });
});

describe('procurement provider lifecycle', () => {
  const fixture = serverAndWorkspace();

  /**
   * Each test's starting point, so that it passes alone (`-t`) and in any
   * order: the configuration written and applied.
   */
  async function given(config: object): Promise<void> {
    fixture.tf.writeConfig(config);
    expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
  }

  test('an object created through the admin API imports by its key, then plans clean', async () => {
    await given(configuration());
    await fixture.server.admin.put('scopes', { name: 'ticket.comment', description: 'Comment on tickets', risk: 'low', external: true, implies: [] }, 'ticket.comment');
    fixture.tf.writeConfig(configuration({ extra: { comment: { ...scope('ticket.comment', 'Comment on tickets'), external: true } } }));
    expectExit(await fixture.tf.run('import', '-input=false', 'procurement_scope.comment', 'ticket.comment'), 0);
    const state = await fixture.tf.state();
    expect(state.json.values?.root_module?.resources?.find(r => r.address === 'procurement_scope.comment')?.values).toMatchObject({
      name: 'ticket.comment',
      external: true,
      id: 'ticket.comment',
    });
    expectExit(await fixture.tf.plan(), 0);
  });

  test('fails when the imported key does not exist on the server', async () => {
    fixture.tf.writeConfig(configuration({ extra: { missing: scope('nothing.here', 'Never created') } }));
    expectExit(await fixture.tf.init(), 0);
    const result = await fixture.tf.run('import', '-input=false', 'procurement_scope.missing', 'nothing.here');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/non-existent remote object|Cannot import/);
  });

  test('a changed description updates in place', async () => {
    await given(configuration({ extra: comment }));
    fixture.tf.writeConfig(configuration({ readDescription: 'Read supplier catalogs and prices', extra: comment }));
    const plan = await fixture.tf.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toContain('procurement_scope.read will be updated in-place');
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expectExit(await fixture.tf.apply(), 0);
    expect((await fixture.server.admin.get('scopes', 'catalog.read'))?.value.description).toBe('Read supplier catalogs and prices');
    expectExit(await fixture.tf.plan(), 0);
  });

  test('a changed key replaces the object', async () => {
    await given(configuration({ readDescription: 'Read supplier catalogs and prices', extra: comment }));
    fixture.tf.writeConfig(configuration({ readName: 'catalog.browse', readDescription: 'Read supplier catalogs and prices', extra: comment }));
    const plan = await fixture.tf.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toContain('procurement_scope.read must be replaced');
    expect(plan.stdout).toMatch(/name\s+= "catalog.read" -> "catalog.browse" # forces replacement/);
    expectExit(await fixture.tf.apply(), 0);
    expect(await fixture.server.admin.get('scopes', 'catalog.read')).toBeNull();
    expect((await fixture.server.admin.get('roles', 'buyer'))?.value.scopes).toEqual(['catalog.browse']);
    expectExit(await fixture.tf.plan(), 0);
  });

  test('destroy removes every object from the server', async () => {
    await given(configuration({ extra: comment }));
    // Not vacuous: the server holds the configuration's six objects before the destroy.
    const before = await fixture.server.admin.snapshot();
    expect([before.scopes, before.roles, before.clients, before.roleBindings].map(list => list.length)).toEqual([3, 1, 1, 1]);
    expectExit(await fixture.tf.run('destroy', '-input=false', '-auto-approve'), 0);
    const snapshot = await fixture.server.admin.snapshot();
    expect([snapshot.scopes, snapshot.roles, snapshot.clients, snapshot.roleBindings].map(list => list.length)).toEqual([0, 0, 0, 0]);
  });
});
