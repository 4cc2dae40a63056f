/**
 * `introspection` on procurement_client, as a Terraform user meets it: state
 * written before the attribute existed (schema version 0) upgrades without a
 * change, and turning a client into a resource server is an in-place update.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

function configuration(introspection?: boolean) {
  return {
    resource: {
      procurement_client: {
        gateway: { client_id: 'gateway', display_name: 'API gateway', owner: 'team-platform', ...(introspection === undefined ? {} : { introspection }) },
      },
    },
  };
}

describe('procurement_client introspection', () => {
  const fixture = serverAndWorkspace();

  test('state written before the attribute existed upgrades to its default and plans clean, refreshed or not', async () => {
    fixture.tf.writeConfig(configuration());
    expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
    // What a provider of schema version 0 wrote: no introspection attribute.
    const file = join(fixture.tf.dir, 'terraform.tfstate');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    const instance = state.resources[0].instances[0];
    expect(instance.schema_version).toBe(1);
    instance.schema_version = 0;
    delete instance.attributes.introspection;
    writeFileSync(file, JSON.stringify(state));
    expectExit(await fixture.tf.plan('-refresh=false'), 0);
    expectExit(await fixture.tf.plan(), 0);
  });

  test('introspection = true updates the client in place; the server then treats it as a resource server', async () => {
    // From the client declared without the attribute, applied, whichever test ran before.
    fixture.tf.writeConfig(configuration());
    expectExit(await fixture.tf.init(), 0);
    expectExit(await fixture.tf.apply(), 0);
    fixture.tf.writeConfig(configuration(true));
    const plan = await fixture.tf.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toContain('procurement_client.gateway will be updated in-place');
    expect(plan.stdout).toMatch(/introspection\s+= false -> true/);
    expectExit(await fixture.tf.apply(), 0);
    expect((await fixture.server.admin.get('clients', 'gateway'))?.value).toMatchObject({ introspection: true });
    expectExit(await fixture.tf.plan(), 0);
  });
});
