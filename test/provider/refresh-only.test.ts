/**
 * A scheduled drift check (`terraform plan -refresh-only -detailed-exitcode`)
 * exits 0 on a clean state for every resource type, and 2 once an object
 * changed on the server.
 */
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

const resources = {
  procurement_scope: { read: { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low' } },
  procurement_role: { buyer: { name: 'buyer', description: 'Buyers', scopes: ['${procurement_scope.read.name}'] } },
  procurement_client: { erp: { client_id: 'erp-connector', display_name: 'ERP connector', owner: 'team-erp' } },
  procurement_role_binding: {
    buyers: {
      name: 'buyers',
      role: '${procurement_role.buyer.name}',
      subject: [{ client_id: '${procurement_client.erp.client_id}', expires_at: '2030-01-31T00:00:00Z', justification: 'CHG-1' }],
    },
  },
};

describe('plan -refresh-only -detailed-exitcode', () => {
  const fixture = serverAndWorkspace();

  test.each(Object.keys(resources))('exits 0 on a clean state with a %s, and 2 after drift', async type => {
    const { tf } = fixture;
    const wanted = Object.keys(resources).slice(0, Object.keys(resources).indexOf(type) + 1);
    tf.writeConfig({ resource: Object.fromEntries(wanted.map(t => [t, resources[t as keyof typeof resources]])) });
    expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);
    expectExit(await tf.plan('-refresh-only'), 0);
    expectExit(await tf.plan(), 0);
  });

  test('exits 2 once an object changed on the server', async () => {
    const { tf, server } = fixture;
    // Every resource declared and applied, whichever of the cases above ran before (and however many).
    tf.writeConfig({ resource: resources });
    expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);
    const erp = (await server.admin.get('clients', 'erp-connector'))!.value;
    await server.admin.put('clients', { ...erp, owner: 'someone-else' }, 'erp-connector', { overrideReason: 'test: drift' });
    const plan = await tf.plan('-refresh-only');
    expectExit(plan, 2);
    expect(plan.stdout).toContain('procurement_client.erp has changed');
  });
});
