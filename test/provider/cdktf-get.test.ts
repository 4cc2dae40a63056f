/**
 * `cdktf get` generates bindings for the provider offline, through the mirror
 * (the provider's schema describes a binding's `subject` as a list nested
 * attribute, which cdktf's generator understands), and a stack written with
 * those generated classes deploys against the real embedded server and then
 * plans clean.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { cdktfProjectAndServer } from '../support/cdktf-project';
import { expectExit } from '../support/terraform';

const run = promisify(execFile);

/** A stack written only with the generated classes. */
const APP = `
import { App, TerraformStack } from 'cdktf';
import { ProcurementProvider } from './.gen/providers/procurement/provider';
import { Scope } from './.gen/providers/procurement/scope';
import { Client } from './.gen/providers/procurement/client';
import { Role } from './.gen/providers/procurement/role';
import { RoleBinding } from './.gen/providers/procurement/role-binding';

const app = new App({ outdir: 'cdktf.out' });
const stack = new TerraformStack(app, 'generated');
new ProcurementProvider(stack, 'procurement', {});
const read = new Scope(stack, 'read', { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low' });
const erp = new Client(stack, 'erp', { clientId: 'erp-connector', displayName: 'ERP connector', owner: 'team-erp' });
const reader = new Role(stack, 'reader', { name: 'catalog-reader', description: 'Reads catalogs', scopes: [read.name] });
new RoleBinding(stack, 'readers', {
  name: 'catalog-readers',
  role: reader.name,
  subject: [{ clientId: erp.clientId, expiresAt: '2030-01-31T00:00:00Z', justification: 'CHG-1' }],
});
app.synth();
`;

describe('cdktf get: generated bindings for the provider', () => {
  const fixture = cdktfProjectAndServer();

  beforeAll(() => {
    const cdktfJson = JSON.parse(readFileSync(join(fixture.project, 'cdktf.json'), 'utf8')) as Record<string, unknown>;
    const providers = { terraformProviders: ['procurement-scopes/procurement@~> 0.1'], codeMakerOutput: '.gen' };
    writeFileSync(join(fixture.project, 'cdktf.json'), JSON.stringify({ ...cdktfJson, ...providers }));
  });

  test('generates the bindings offline, and a stack using them deploys and plans clean', async () => {
    const { project, env, server } = fixture;
    await run('npx', ['--no-install', 'cdktf', 'get'], { cwd: project, env, maxBuffer: 64 * 1024 * 1024 });
    const generated = readFileSync(join(project, '.gen/providers/procurement/role-binding/index.ts'), 'utf8');
    expect(generated).toContain('export interface RoleBindingSubject');
    expect(generated).toMatch(/readonly subject: RoleBindingSubject\[\] \| cdktf\.IResolvable;/);

    writeFileSync(join(project, 'generated-app.ts'), APP);
    await run(process.execPath, [join(project, 'node_modules/.bin/tsx'), 'generated-app.ts'], { cwd: project, env });
    const stackDir = join(project, 'cdktf.out/stacks/generated');
    expect(existsSync(join(stackDir, 'cdk.tf.json'))).toBe(true);

    const terraform = new TerraformCli({ cwd: stackDir, baseEnv: env });
    const tf = (...args: string[]) => terraform.run([...args, '-no-color'], { quiet: true });
    expectExit(await tf('init', '-input=false'), 0);
    expectExit(await tf('apply', '-input=false', '-auto-approve'), 0);
    expect((await server.admin.get('role-bindings', 'catalog-readers'))?.value.subjects).toEqual([
      { clientId: 'erp-connector', expiresAt: expect.stringMatching(/^2030-01-31T00:00:00(\.000)?Z$/), justification: 'CHG-1' },
    ]);
    expectExit(await tf('plan', '-input=false', '-detailed-exitcode'), 0);
  }, 600_000);
});
