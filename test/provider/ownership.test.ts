/**
 * Ownership as Terraform users meet it, with the real terraform and the real
 * embedded server: an address change with a `moved` block plans clean; one
 * without cannot take over or delete the object; a second workspace that
 * declares an existing object fails with an import hint and leaves it
 * untouched (store and audit compared exactly); two resources for one object
 * fail at plan; import takes an object over and then plans clean, and the
 * resource that lost it can no longer delete it.
 */
import { AdminClient } from '../../lib/client/admin-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, flat, Workspace } from '../support/terraform';

const catalogRead = { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low' };
const erp = { client_id: 'erp-connector', display_name: 'ERP connector', owner: 'team-erp' };
/** Both objects at the addresses the first test moves them to. */
const settled = { resource: { procurement_scope: { catalog_read: catalogRead }, procurement_client: { erp_connector: erp } } };

async function serverRecord(admin: AdminClient) {
  return { snapshot: await admin.snapshot(), audit: (await admin.audit({ limit: 1000 })).items };
}

describe('ownership of server objects through Terraform', () => {
  let server: EmbeddedServer;
  let a: Workspace;
  let b: Workspace;

  // Each test gets its own server and workspaces: taking an object over changes who owns it for good.
  beforeEach(async () => {
    server = await startServer();
    a = await createWorkspace({ url: server.url, adminToken: server.adminToken });
    b = await createWorkspace({ url: server.url, adminToken: server.adminToken });
  });
  afterEach(async () => {
    a?.remove();
    b?.remove();
    await server?.stop();
  });

  /** The starting point of most tests: workspace a manages both objects, at their settled addresses. */
  async function aManagesBoth() {
    a.writeConfig(settled);
    expectExit(await a.init(), 0);
    expectExit(await a.apply(), 0);
    expect(await server.admin.manager('scopes', 'catalog.read')).toMatchObject({ label: expect.stringContaining(`terraform in ${a.dir}`) });
  }

  test('a changed address with a moved block plans clean and the apply deletes nothing', async () => {
    a.writeConfig({ resource: { procurement_scope: { read: catalogRead }, procurement_client: { erp } } });
    expectExit(await a.init(), 0);
    expectExit(await a.apply(), 0);
    expect(await server.admin.manager('scopes', 'catalog.read')).toMatchObject({ label: expect.stringContaining(`terraform in ${a.dir}`) });

    a.writeConfig({
      resource: { procurement_scope: { catalog_read: catalogRead }, procurement_client: { erp_connector: erp } },
      moved: [
        { from: 'procurement_scope.read', to: 'procurement_scope.catalog_read' },
        { from: 'procurement_client.erp', to: 'procurement_client.erp_connector' },
      ],
    } as never);
    const before = await serverRecord(server.admin);
    const plan = await a.plan();
    expectExit(plan, 2); // a move changes the state only; -detailed-exitcode counts it
    expect(plan.stdout).toContain('procurement_scope.read has moved to procurement_scope.catalog_read');
    expect(plan.stdout).toContain('Plan: 0 to add, 0 to change, 0 to destroy.');
    expectExit(await a.apply(), 0);
    expect(await serverRecord(server.admin)).toEqual(before);
    a.writeConfig(settled);
    expectExit(await a.plan(), 0);
  });

  test('without a moved block the new address fails at plan saying how to move or import, and nothing changes', async () => {
    await aManagesBoth();
    a.writeConfig({ resource: { procurement_scope: { renamed: catalogRead }, procurement_client: { erp_connector: erp } } });
    const before = await serverRecord(server.admin);
    const plan = await a.plan();
    expectExit(plan, 1);
    const said = flat(plan.stderr);
    expect(said).toContain("Error: Scope 'catalog.read' already exists");
    expect(said).toContain(`is managed by terraform in ${a.dir}`);
    expect(said).toContain('add a `moved` block from its old address');
    expect(said).toContain('with procurement_scope.renamed');
    expectExit(await a.apply(), 1);
    expect(await serverRecord(server.admin)).toEqual(before);
    a.writeConfig(settled);
    expectExit(await a.plan(), 0);
  });

  test('a second workspace declaring existing objects fails at plan with an import hint; store and audit are untouched', async () => {
    await aManagesBoth();
    b.writeConfig({ resource: { procurement_scope: { read: { ...catalogRead, risk: 'high' } }, procurement_client: { erp: { ...erp, owner: 'someone-else' } } } });
    expectExit(await b.init(), 0);
    const before = await serverRecord(server.admin);
    const plan = await b.plan();
    expectExit(plan, 1);
    const said = flat(plan.stderr);
    expect(said).toContain("Error: Scope 'catalog.read' already exists");
    expect(said).toContain("Error: Client 'erp-connector' already exists");
    expect(said).toContain(`managed by terraform in ${a.dir}`);
    expect(said).toContain('terraform import procurement_scope.<name> catalog.read');
    expectExit(await b.apply(), 1);
    expect(await serverRecord(server.admin)).toEqual(before);
  });

  test('two resources declaring one object fail at plan, in one state', async () => {
    b.writeConfig({ resource: { procurement_scope: { first: { ...catalogRead, name: 'po.read' }, second: { ...catalogRead, name: 'po.read' } } } });
    expectExit(await b.init(), 0);
    const before = await serverRecord(server.admin);
    const plan = await b.plan();
    expectExit(plan, 1);
    expect(flat(plan.stderr)).toMatch(/Error: Two resources declare scope 'po.read'.*with procurement_scope\.(first|second)/);
    expect(await serverRecord(server.admin)).toEqual(before);
  });

  test('import takes the object over and plans clean; the workspace that lost it can neither change nor delete it', async () => {
    await aManagesBoth();
    b.writeConfig({ resource: { procurement_scope: { read: catalogRead } } });
    expectExit(await b.init(), 0);
    expectExit(await b.run('import', '-input=false', 'procurement_scope.read', 'catalog.read'), 0);
    expectExit(await b.plan(), 0);
    expect(await server.admin.manager('scopes', 'catalog.read')).toMatchObject({ label: expect.stringContaining(`terraform in ${b.dir}`) });
    const [adopt] = (await server.admin.audit({ key: 'catalog.read', action: 'adopt' })).items;
    expect(adopt.before).toMatchObject({ manager: expect.stringContaining(a.dir) });

    const plan = await a.plan();
    expectExit(plan, 1);
    const said = flat(plan.stderr);
    expect(said).toContain("Error: Scope 'catalog.read' is managed elsewhere");
    expect(said).toContain(`it is managed by terraform in ${b.dir}`);

    const before = await serverRecord(server.admin);
    const destroy = await a.run('destroy', '-input=false', '-auto-approve');
    expectExit(destroy, 1); // its plan already refuses
    expect(flat(destroy.stderr)).toContain("Error: Scope 'catalog.read' is managed elsewhere");
    expect(await serverRecord(server.admin)).toEqual(before);

    // Dropped from the configuration, the resource is planned for deletion without a plan call: the server refuses it.
    a.writeConfig({ resource: { procurement_client: { erp_connector: erp } } });
    const apply = await a.apply();
    expectExit(apply, 1);
    expect(flat(apply.stderr)).toContain("Error: Not managed by this resource Could not delete scope 'catalog.read': scope 'catalog.read' is managed by terraform in");
    expect(await serverRecord(server.admin)).toEqual(before);

    // `terraform state rm` lets go of it; the server keeps it, managed by the other workspace.
    expectExit(await a.run('state rm', 'procurement_scope.catalog_read'), 0);
    expectExit(await a.plan(), 0);
    expect(await server.admin.manager('scopes', 'catalog.read')).toMatchObject({ label: expect.stringContaining(`terraform in ${b.dir}`) });
  });
});
