/**
 * Import works for every resource type: objects created through the admin
 * API (by another tool, or before Terraform managed them) are imported by
 * their key, and the configuration describing them then plans clean.
 */
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

describe('import of every resource type', () => {
  const fixture = serverAndWorkspace();

  beforeAll(async () => {
    const admin = fixture.server.admin;
    await admin.put('scopes', { name: 'ticket.comment', description: 'Comment on tickets', risk: 'low', external: false, implies: [] }, 'ticket.comment');
    await admin.put('scopes', { name: 'ticket.write', description: 'Write tickets', risk: 'medium', external: false, implies: ['ticket.comment'] }, 'ticket.write');
    await admin.put('roles', { name: 'ticket-agent', description: 'Works tickets', scopes: ['ticket.write'] }, 'ticket-agent');
    await admin.put(
      'clients',
      {
        clientId: 'ticketing', displayName: 'Ticketing', owner: 'service-desk', external: false,
        grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 900, secretRotationDays: 30,
      },
      'ticketing',
    );
    await admin.put(
      'role-bindings',
      { name: 'agents', role: 'ticket-agent', subjects: [{ clientId: 'ticketing', expiresAt: null, justification: 'CHG-7' }] },
      'agents',
    );
  });

  test('each object imports by its key and then plans clean', async () => {
    fixture.tf.writeConfig({
      resource: {
        procurement_scope: {
          comment: { name: 'ticket.comment', description: 'Comment on tickets', risk: 'low' },
          write: { name: 'ticket.write', description: 'Write tickets', risk: 'medium', implies: ['${procurement_scope.comment.name}'] },
        },
        procurement_role: { agent: { name: 'ticket-agent', description: 'Works tickets', scopes: ['${procurement_scope.write.name}'] } },
        procurement_client: {
          ticketing: { client_id: 'ticketing', display_name: 'Ticketing', owner: 'service-desk', token_lifetime_seconds: 900, secret_rotation_days: 30 },
        },
        procurement_role_binding: {
          agents: {
            name: 'agents',
            role: '${procurement_role.agent.name}',
            subject: [{ client_id: '${procurement_client.ticketing.client_id}', justification: 'CHG-7' }],
          },
        },
      },
    });
    expectExit(await fixture.tf.init(), 0);
    const imports: [string, string][] = [
      ['procurement_scope.comment', 'ticket.comment'],
      ['procurement_scope.write', 'ticket.write'],
      ['procurement_role.agent', 'ticket-agent'],
      ['procurement_client.ticketing', 'ticketing'],
      ['procurement_role_binding.agents', 'agents'],
    ];
    for (const [address, key] of imports) expectExit(await fixture.tf.run('import', '-input=false', address, key), 0);

    const resources = (await fixture.tf.state()).json.values?.root_module?.resources ?? [];
    expect(resources.map(r => r.address).sort()).toEqual(imports.map(([address]) => address).sort());
    expect(resources.find(r => r.address === 'procurement_role_binding.agents')?.values).toMatchObject({
      name: 'agents',
      role: 'ticket-agent',
      subject: [{ client_id: 'ticketing', expires_at: null, justification: 'CHG-7' }],
    });
    expectExit(await fixture.tf.plan(), 0);
  });
});
