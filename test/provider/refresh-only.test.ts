/**
 * A scheduled drift check (`terraform plan -refresh-only -detailed-exitcode`)
 * exits 0 on a clean state for every resource type, and 2 once an object
 * changed on the server.
 */
import { AdminClient } from '../../lib/client/admin-client';
import { Kind, KindObject } from '../../lib/model/types';
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

/** Changes one field of an object on the server, behind Terraform's back. */
async function changeOnServer<K extends Kind>(admin: AdminClient, kind: K, key: string, change: (value: KindObject[K]) => KindObject[K]) {
  const { value } = (await admin.get(kind, key))!;
  await admin.put(kind, change(value), key, { overrideReason: 'test: drift' });
}

/** How each resource drifts, and the address the plan names. */
const drift: Record<keyof typeof resources, { address: string; make: (admin: AdminClient) => Promise<void> }> = {
  procurement_scope: {
    address: 'procurement_scope.read',
    make: admin => changeOnServer(admin, 'scopes', 'catalog.read', v => ({ ...v, description: 'Changed on the server' })),
  },
  procurement_role: {
    address: 'procurement_role.buyer',
    make: admin => changeOnServer(admin, 'roles', 'buyer', v => ({ ...v, description: 'Changed on the server' })),
  },
  procurement_client: {
    address: 'procurement_client.erp',
    make: admin => changeOnServer(admin, 'clients', 'erp-connector', v => ({ ...v, owner: 'someone-else' })),
  },
  procurement_role_binding: {
    address: 'procurement_role_binding.buyers',
    make: admin => changeOnServer(admin, 'role-bindings', 'buyers', v => ({ ...v, subjects: v.subjects.map(s => ({ ...s, justification: 'CHG-2' })) })),
  },
};

describe('plan -refresh-only -detailed-exitcode', () => {
  const fixture = serverAndWorkspace();

  test.each(Object.keys(resources) as (keyof typeof resources)[])('exits 0 on a clean state with a %s, and 2 after drift', async type => {
    const { tf, server } = fixture;
    const wanted = Object.keys(resources).slice(0, Object.keys(resources).indexOf(type) + 1);
    tf.writeConfig({ resource: Object.fromEntries(wanted.map(t => [t, resources[t as keyof typeof resources]])) });
    expectExit(await tf.init(), 0);
    // Also reverts whatever drift a case run before this one left.
    expectExit(await tf.apply(), 0);
    expectExit(await tf.plan('-refresh-only'), 0);
    expectExit(await tf.plan(), 0);

    await drift[type].make(server.admin);
    const plan = await tf.plan('-refresh-only');
    expectExit(plan, 2);
    expect(plan.stdout).toContain(`${drift[type].address} has changed`);
  });
});
