/**
 * Least privilege with the real terraform: a `read` admin token (what a pull
 * request's plan gets) plans and refreshes, and an apply with it fails with a
 * diagnostic that says a read token cannot apply, changing nothing on the
 * server or in the state. A `write` token applies.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverAndRoleWorkspaces } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

const resources = (description: string) => ({
  resource: {
    procurement_scope: { read: { name: 'catalog.read', description, risk: 'low' } },
    procurement_client: { erp: { client_id: 'erp', display_name: 'ERP', owner: 'team-erp' } },
  },
});

describe('provider with a read token', () => {
  const fixture = serverAndRoleWorkspaces();

  beforeAll(async () => {
    const { writer, reader } = fixture;
    // Every test's starting point, so that each passes alone and in any order: the writer applied, the reader holds its state.
    writer.writeConfig(resources('Read the catalog.'));
    expectExit(await writer.init(), 0);
    expectExit(await writer.apply(), 0);
    copyFileSync(join(writer.dir, 'terraform.tfstate'), join(reader.dir, 'terraform.tfstate'));
    reader.writeConfig(resources('Read the catalog.'));
    expectExit(await reader.init(), 0);
  });

  /** The reader's code with a change to apply: a new role, a scope's description. */
  const changed = () => ({
    resource: { ...resources('Read the supplier catalog.').resource, procurement_role: { buyer: { name: 'buyer', description: 'Buys', scopes: ['catalog.read'] } } },
  });
  test('a write token applies; the audit names it', async () => {
    const audit = await fixture.server.admin.audit({ key: 'catalog.read' });
    expect(audit.items.map(e => [e.action, e.actor])).toEqual([['create', 'ci-apply']]);
  });

  test('a read token refreshes and plans: no changes on the same state, the change once the code changes', async () => {
    fixture.reader.writeConfig(resources('Read the catalog.'));
    expectExit(await fixture.reader.plan(), 0);
    const refresh = await fixture.reader.run('plan', '-input=false', '-refresh-only');
    expectExit(refresh, 0);
    expect(refresh.stdout).toContain('No changes. Your infrastructure still matches the configuration.');

    fixture.reader.writeConfig(changed());
    const plan = await fixture.reader.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toContain('Plan: 1 to add, 1 to change, 0 to destroy.');
  });

  test('fails to apply with a read token, saying so, and changes nothing on the server or in the state', async () => {
    fixture.reader.writeConfig(changed());
    const before = await fixture.server.admin.snapshot();
    const stateBefore = readFileSync(join(fixture.reader.dir, 'terraform.tfstate'), 'utf8');
    const result = await fixture.reader.apply();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Admin token cannot apply');
    expect(result.stderr).toContain('a read token cannot apply changes');
    expect(result.stderr).toContain('use a write or admin token');
    expect(result.stderr).toContain('Apply with a write token in PROCUREMENT_ADMIN_TOKEN');
    expect(`${result.stdout}${result.stderr}`).not.toContain(fixture.readToken);
    expect(await fixture.server.admin.snapshot()).toEqual(before);
    expect(JSON.parse(readFileSync(join(fixture.reader.dir, 'terraform.tfstate'), 'utf8')).resources).toEqual(JSON.parse(stateBefore).resources);
  });
});
