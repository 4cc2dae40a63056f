/**
 * What the user sees when something is wrong: every diagnostic says what
 * happened and what to do, points at the attribute when one is at fault,
 * never shows the admin token, and a re-run after the cause is fixed converges.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { startFaultProxy } from '../support/fault-proxy';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

const client = (client_id: string, extra: object = {}) => ({ client_id, display_name: 'ERP', owner: 'team-erp', ...extra });

describe('provider errors', () => {
  let server: EmbeddedServer;
  const workspaces: Workspace[] = [];
  const workspace = async (options: { url?: string; adminToken?: string } = {}) => {
    const tf = await createWorkspace({ url: options.url ?? server.url, adminToken: 'adminToken' in options ? options.adminToken : server.adminToken });
    workspaces.push(tf);
    return tf;
  };

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const tf of workspaces) tf.remove();
    await server?.stop();
  });

  test('fails when the configuration breaks the model, reporting every problem at its attribute', async () => {
    const tf = await workspace();
    tf.writeConfig({
      resource: {
        procurement_scope: { bad: { name: 'Read Users', description: 'x', risk: 'severe' } },
        procurement_client: { bad: client('erp', { token_lifetime_seconds: 5, grant_types: ['authorization_code'] }) },
        procurement_role_binding: { bad: { name: 'b', role: 'r', subject: [{ client_id: 'erp', expires_at: '2020-12-31T23:59:60Z', justification: null }] } },
      },
    });
    expectExit(await tf.init(), 0);
    const result = await tf.run('validate');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Invalid scope');
    expect(result.stderr).toMatch(/name must look like resource\.action in lower case.*got 'Read Users'/s);
    expect(result.stderr).toMatch(/risk must be one of low, medium, high, critical, got 'severe'/);
    expect(result.stderr).toMatch(/token_lifetime_seconds must be >= 60, got 5/);
    expect(result.stderr).toMatch(/redirect_uris must list at least one https URI/);
    // Terraform wraps long diagnostics: match across line breaks.
    expect(result.stderr).toMatch(/subject\[0\]\.expires_at second 60 \(a leap second\)\s+cannot\s+be\s+compared\s+with\s+a\s+clock:\s+use\s+:59,\s+got\s+'2020-12-31T23:59:60Z'/);
    expect(result.stderr).toMatch(/on main\.tf\.json line \d+, in resource\.procurement_client\.bad/);
  });

  test('fails when the admin token is missing, saying how to provide it', async () => {
    const tf = await workspace({ adminToken: undefined });
    tf.writeConfig({ resource: { procurement_client: { erp: client('erp') } } });
    expectExit(await tf.init(), 0);
    const result = await tf.plan();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Missing admin token');
    expect(result.stderr).toContain('PROCUREMENT_ADMIN_TOKEN');
  });

  test('fails when the admin token is wrong, without printing it', async () => {
    const wrong = 'not-the-token-0123456789';
    const tf = await workspace({ adminToken: wrong });
    tf.writeConfig({ resource: { procurement_client: { erp: client('erp') } } });
    expectExit(await tf.init(), 0);
    const result = await tf.apply();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error: Admin token rejected');
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
  });

  test('fails when a binding names a role that does not exist, with the server\'s reason', async () => {
    const tf = await workspace();
    tf.writeConfig({
      resource: {
        procurement_client: { erp: client('erp-ghost') },
        procurement_role_binding: { ghost: { name: 'ghost', role: 'no-such-role', subject: [{ client_id: '${procurement_client.erp.client_id}' }] } },
      },
    });
    expectExit(await tf.init(), 0);
    const result = await tf.apply();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Rejected by the authorization server');
    expect(result.stderr).toContain("Could not create role binding 'ghost'");
    expect(result.stderr).toContain('no-such-role');
  });

  test('fails when deleting what something else still uses (409), saying what to do; converges once the holder is gone', async () => {
    const tf = await workspace();
    const withScope = { procurement_scope: { audit: { name: 'audit.read', description: 'Read audits', risk: 'low' } } };
    tf.writeConfig({ resource: withScope });
    expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);
    // Out of band, a role starts using the scope; then the code drops it.
    await server.admin.put('roles', { name: 'auditor', description: 'Audits', scopes: ['audit.read'] }, 'auditor');
    tf.writeConfig({ resource: { procurement_client: { erp: client('erp-409') } } });
    const refused = await tf.apply();
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Error: Conflicting change on the server');
    expect(refused.stderr).toContain('auditor');
    expect(refused.stderr).toMatch(/remove the references to it in the\s+same change/);
    expect(await server.admin.get('scopes', 'audit.read')).not.toBeNull();

    expect(await server.admin.delete('roles', 'auditor')).toBe(true);
    expectExit(await tf.apply(), 0);
    expect(await server.admin.get('scopes', 'audit.read')).toBeNull();
    expectExit(await tf.plan(), 0);
  });

  test('fails when the server answers 500, recording nothing in the state; converges once it answers', async () => {
    let failing = true;
    const proxy = await startFaultProxy(server.url, { fault: req => (failing && req.method === 'PUT' ? { status: 500 } : null) });
    try {
      const tf = await workspace({ url: proxy.url });
      tf.writeConfig({ resource: { procurement_client: { erp: client('erp-500') } } });
      expectExit(await tf.init(), 0);
      const refused = await tf.apply();
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain('Error: Authorization server error');
      expect(refused.stderr).toMatch(/the server answered 500/);
      expect((await tf.run('state list')).stdout.trim()).toBe('');

      failing = false;
      expectExit(await tf.apply(), 0);
      expect((await tf.run('state list')).stdout.trim()).toBe('procurement_client.erp');
    } finally {
      await proxy.close();
    }
  });

  test('fails when the server is unreachable, then converges once it is back', async () => {
    const tf = await workspace();
    tf.writeConfig({ resource: { procurement_client: { erp: client('erp-later') } } });
    expectExit(await tf.init(), 0);
    await server.kill9();
    const down = await tf.apply();
    await server.restart();
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain('Error: Cannot reach the authorization server');
    expect(down.stderr).toContain('ECONNREFUSED');

    expectExit(await tf.apply(), 0);
    expect((await server.admin.get('clients', 'erp-later'))?.value.displayName).toBe('ERP');
    expectExit(await tf.plan(), 0);
  });
});
