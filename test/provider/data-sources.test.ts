/**
 * The provider's data sources against the real server and terraform: a scope
 * and a client looked up by key, and a client's effective scopes; a key that
 * does not exist fails the plan with a diagnostic at that attribute.
 */
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

/** The three data sources, each named `name`, looking up `scope` and `client`. */
function lookups(name: string, scope: string, client: string) {
  return {
    procurement_scope: { [name]: { name: scope } },
    procurement_client: { [name]: { client_id: client } },
    procurement_client_effective_scopes: { [name]: { client_id: client } },
  };
}

describe('provider data sources', () => {
  const fixture = serverAndWorkspace();

  beforeAll(async () => {
    const { admin } = fixture.server;
    await admin.put('scopes', { name: 'ticket.comment', description: 'Comment on tickets', risk: 'low', external: true, implies: [] }, 'ticket.comment');
    await admin.put('scopes', { name: 'ticket.write', description: 'Write tickets', risk: 'medium', external: false, implies: ['ticket.comment'] }, 'ticket.write');
    await admin.put('roles', { name: 'agent', description: 'Agents', scopes: ['ticket.write'] }, 'agent');
    await admin.put('clients', { clientId: 'desk', displayName: 'Help desk', owner: 'team-desk', tokenLifetimeSeconds: 900 } as never, 'desk');
    await admin.put('role-bindings', { name: 'agents', role: 'agent', subjects: [{ clientId: 'desk' }] } as never, 'agents');
  });

  test('read a scope, a client and its effective scopes (implied ones included) from the server', async () => {
    fixture.tf.writeConfig({
      data: lookups('desk', 'ticket.write', 'desk'),
      output: {
        scope: { value: '${data.procurement_scope.desk}' },
        client: { value: '${data.procurement_client.desk}' },
        effective: { value: '${data.procurement_client_effective_scopes.desk.scopes}' },
      },
    });
    expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
    const outputs = JSON.parse((await fixture.tf.run('output', '-json')).stdout) as Record<string, { value: unknown }>;
    expect(outputs.scope.value).toEqual({ id: 'ticket.write', name: 'ticket.write', description: 'Write tickets', risk: 'medium', external: false, implies: ['ticket.comment'] });
    expect(outputs.client.value).toEqual({
      id: 'desk',
      client_id: 'desk',
      display_name: 'Help desk',
      owner: 'team-desk',
      external: false,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      token_lifetime_seconds: 900,
      secret_rotation_days: 90,
      introspection: false,
      jwks: null,
      jwks_uri: null,
    });
    expect(outputs.effective.value).toEqual(['ticket.comment', 'ticket.write']);
  });

  test('fail when the looked-up scope, client or effective-scopes client does not exist, at that attribute', async () => {
    fixture.tf.writeConfig({ data: lookups('missing', 'nothing.here', 'ghost') });
    expectExit(await fixture.tf.init(), 0);
    const plan = await fixture.tf.plan();
    expect(plan.exitCode).toBe(1);
    // Terraform wraps diagnostics to the terminal's width: compare with the line breaks taken out.
    const said = plan.stderr.replace(/\s+/g, ' ');
    expect(said).toContain(
      "Error: Scope not found with data.procurement_scope.missing, on main.tf.json line 18, in data.procurement_scope.missing: 18: \"name\": \"nothing.here\" " +
        "No scope 'nothing.here' exists on the authorization server. Check the spelling, or create it first (a `procurement_scope` resource).",
    );
    expect(said).toContain(
      "Error: Client not found with data.procurement_client.missing, on main.tf.json line 23, in data.procurement_client.missing: 23: \"client_id\": \"ghost\" " +
        "No client 'ghost' exists on the authorization server. Check the spelling, or create it first (a `procurement_client` resource).",
    );
    expect(said).toContain(
      "Error: Client not found with data.procurement_client_effective_scopes.missing, on main.tf.json line 28, in data.procurement_client_effective_scopes.missing: 28: \"client_id\": \"ghost\" " +
        "No client 'ghost' exists on the authorization server. Check the spelling, or create it first.",
    );
  });
});
