/**
 * Drift, grant removal and secrecy, as a platform team meets them: changes
 * made behind Terraform's back are shown and reverted, a grant removed from
 * code really stops the client from getting that scope, and neither client
 * secrets nor the admin token ever reach plan output or state.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

function configuration(bindingSubjects: string[]) {
  return {
    resource: {
      procurement_scope: {
        read: { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low' },
        rfq: { name: 'rfq.submit', description: 'Submit RFQs', risk: 'medium' },
      },
      procurement_role: {
        buyer: { name: 'buyer', description: 'Buyers', scopes: ['${procurement_scope.read.name}', '${procurement_scope.rfq.name}'] },
        reader: { name: 'reader', description: 'Readers', scopes: ['${procurement_scope.read.name}'] },
      },
      procurement_client: {
        erp: { client_id: 'erp', display_name: 'ERP', owner: 'team-erp' },
      },
      procurement_role_binding: {
        readers: { name: 'readers', role: '${procurement_role.reader.name}', subject: [{ client_id: '${procurement_client.erp.client_id}' }] },
        buyers: { name: 'buyers', role: '${procurement_role.buyer.name}', subject: bindingSubjects.map(client_id => ({ client_id })) },
      },
    },
    data: {
      // depends_on: read after the bindings change, not at plan time before them.
      procurement_client_effective_scopes: {
        erp: { client_id: '${procurement_client.erp.client_id}', depends_on: ['procurement_role_binding.readers', 'procurement_role_binding.buyers'] },
      },
    },
    output: { erp_scopes: { value: '${data.procurement_client_effective_scopes.erp.scopes}' } },
  };
}

async function requestToken(server: EmbeddedServer, clientId: string, secret: string, scope: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { token_endpoint: string };
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const GRANTED = configuration(['${procurement_client.erp.client_id}']);

describe('drift, grants and secrets', () => {
  let server: EmbeddedServer;
  let tf: Workspace;
  let secretsDir: string;
  const outputs: string[] = [];
  const run = async (step: Promise<{ exitCode: number; stdout: string; stderr: string }>, code: number) => {
    const result = await step;
    outputs.push(result.stdout, result.stderr);
    expectExit(result, code);
    // Each output as it comes, so that every command's is checked whichever order the tests ran in (the last test checks the state).
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).not.toContain(server.adminToken);
    expect(output).not.toMatch(/client_secret|clientSecret/);
    const secretFile = join(secretsDir, 'erp.json');
    if (existsSync(secretFile)) expect(output).not.toContain((JSON.parse(readFileSync(secretFile, 'utf8')) as { clientSecret: string }).clientSecret);
    return result;
  };

  beforeAll(async () => {
    server = await startServer();
    secretsDir = mkdtempSync(join(tmpdir(), 'procurement-secrets-'));
    tf = await createWorkspace({ url: server.url, adminToken: server.adminToken, provider: { secrets_dir: secretsDir } });
    tf.writeConfig(GRANTED);
    await run(tf.init(), 0);
  });
  // Every test starts from the code granting erp both roles, applied (a test that removed a grant leaves it removed).
  beforeEach(async () => {
    tf.writeConfig(GRANTED);
    await run(tf.apply(), 0);
  });
  afterAll(async () => {
    tf?.remove();
    rmSync(secretsDir, { recursive: true, force: true });
    await server?.stop();
  });

  test('the created client\'s secret is written to secrets_dir (0600) and works at the token endpoint', async () => {
    const file = join(secretsDir, 'erp.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { clientSecret } = JSON.parse(readFileSync(file, 'utf8')) as { clientSecret: string };
    const token = await requestToken(server, 'erp', clientSecret, 'rfq.submit');
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('rfq.submit');
  });

  test('changes made through the admin API show as in-place updates and apply reverts them', async () => {
    await server.admin.put('clients', { clientId: 'erp', displayName: 'Renamed by hand', owner: 'someone-else', tokenLifetimeSeconds: 120 } as never, 'erp', { overrideReason: 'test: changed out of band' });
    await server.admin.put('roles', { name: 'reader', description: 'Readers', scopes: ['catalog.read', 'rfq.submit'] }, 'reader', { overrideReason: 'test: changed out of band' });
    const plan = await run(tf.plan(), 2);
    expect(plan.stdout).toContain('procurement_client.erp will be updated in-place');
    expect(plan.stdout).toContain('procurement_role.reader will be updated in-place');
    expect(plan.stdout).toMatch(/token_lifetime_seconds\s+= 120 -> 3600/);
    expect(plan.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');

    await run(tf.apply(), 0);
    expect((await server.admin.get('clients', 'erp'))?.value).toMatchObject({ displayName: 'ERP', owner: 'team-erp', tokenLifetimeSeconds: 3600 });
    expect((await server.admin.get('roles', 'reader'))?.value.scopes).toEqual(['catalog.read']);
    await run(tf.plan(), 0);
  });

  test('an object deleted out of band is planned for creation and recreated', async () => {
    expect(await server.admin.delete('role-bindings', 'readers', { overrideReason: 'test: changed out of band' })).toBe(true);
    const plan = await run(tf.plan(), 2);
    expect(plan.stdout).toContain('procurement_role_binding.readers will be created');
    await run(tf.apply(), 0);
    expect((await server.admin.get('role-bindings', 'readers'))?.value.subjects.map(s => s.clientId)).toEqual(['erp']);
    await run(tf.plan(), 0);
  });

  test('removing a grant in code removes it on apply, and the client can no longer get that scope', async () => {
    const { clientSecret } = JSON.parse(readFileSync(join(secretsDir, 'erp.json'), 'utf8')) as { clientSecret: string };
    expect((await requestToken(server, 'erp', clientSecret, 'rfq.submit')).status).toBe(200);
    tf.writeConfig(configuration([]));
    const plan = await run(tf.plan(), 2);
    expect(plan.stdout).toContain('procurement_role_binding.buyers will be updated in-place');
    expect(plan.stdout).toMatch(/~ subject\s+= \[\s+- \{\s+- client_id\s+= "erp"/);
    await run(tf.apply(), 0);

    expect((await server.admin.get('role-bindings', 'buyers'))?.value.subjects).toEqual([]);
    const denied = await requestToken(server, 'erp', clientSecret, 'rfq.submit');
    expect(denied.status).toBe(400);
    expect(denied.body.error).toBe('invalid_scope');
    expect((await requestToken(server, 'erp', clientSecret, 'catalog.read')).status).toBe(200);
    const state = await tf.state();
    expect(state.text).toContain('"erp_scopes"');
    expect((await tf.run('output', '-json', 'erp_scopes')).stdout.trim()).toBe('["catalog.read"]');
  });

  test('no client secret and no admin token appears in any output so far or in the state', async () => {
    const secret = (JSON.parse(readFileSync(join(secretsDir, 'erp.json'), 'utf8')) as { clientSecret: string }).clientSecret;
    const state = await tf.state();
    const everything = [...outputs, state.text, readFileSync(join(tf.dir, 'terraform.tfstate'), 'utf8')].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(server.adminToken);
    expect(everything).not.toMatch(/client_secret|clientSecret/);
  });
});
