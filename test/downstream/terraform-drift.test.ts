/**
 * Downstream drift in the next plan and in `review`, with the real terraform and provider, a control plane in
 * `drift: report` mode and an unmodified node-oidc-provider as its rfc7592 downstream: a scope added to a client
 * by hand there (left in place by the control plane, reported) makes the refresh read it into the client's
 * `downstream_drift` (what the downstream holds, what the model allows and why) and the plan an in-place update
 * of it (`downstream_drift` -> null); `procurement-scopes review` prints the same; the apply puts the model back
 * there, and the next plan has nothing to do.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretStore } from '../../lib/client/secret-store';
import { controlPlaneAndWorkspace } from '../support/downstream-fixture';
import { testEnvironment } from '../support/environment';
import { requestToken, setScopeByHand } from '../support/rfc7592-downstream';
import { expectExit } from '../support/terraform';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');

const fixture = controlPlaneAndWorkspace(['catalog.read', 'rfq.submit'], { reconcileSeconds: 1, drift: 'report' });

const scope = (name: string) => ({ name, description: `Can ${name}`, risk: 'low' });
const CONFIG = {
  resource: {
    procurement_scope: { catalog: scope('catalog.read'), rfq: scope('rfq.submit') },
    procurement_role: { reader: { name: 'reader', description: 'Reads', scopes: ['${procurement_scope.catalog.name}'] } },
    procurement_client: { erp: { client_id: 'erp', display_name: 'ERP', owner: 'procurement' } },
    procurement_role_binding: { readers: { name: 'readers', role: '${procurement_role.reader.name}', subject: [{ client_id: '${procurement_client.erp.client_id}' }] } },
  },
};

beforeAll(async () => {
  fixture.tf.writeConfig(CONFIG);
  expectExit(await fixture.tf.init(), 0);
  expectExit(await fixture.tf.apply(), 0);
});

test('a plan without downstream drift has nothing to do', async () => {
  expectExit(await fixture.tf.plan(), 0);
});

test('reported downstream drift shows in the plan and the review as drift of the client; the apply puts the model back', async () => {
  const stored = new SecretStore(fixture.secretsDir).load('erp')!;
  const tokenEndpoint = `${fixture.downstream.issuer}/token`;
  await setScopeByHand(fixture.control.dataDir, 'erp', 'catalog.read rfq.submit');
  const deadline = Date.now() + 30_000;
  while (!(await fixture.control.admin.downstream()).outOfSync.some(c => c.clientId === 'erp')) {
    if (Date.now() > deadline) throw new Error(`drift not found: ${JSON.stringify(await fixture.control.admin.downstream())}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  // Reported, not reverted: the downstream still issues the scope nobody granted.
  expect(await requestToken(tokenEndpoint, stored.downstreamClientId!, stored.clientSecret, 'rfq.submit')).toMatchObject({ status: 200, scopes: ['rfq.submit'] });

  const plan = await fixture.tf.run('plan', '-input=false', '-detailed-exitcode', '-out=plan.tfplan');
  expectExit(plan, 2);
  const text = plan.stdout.replace(/\s+/g, ' ');
  const drift = 'the rfc7592 downstream holds catalog.read rfq.submit where the model allows catalog.read: changed on the downstream by someone else, and reported, not reverted (drift: report)';
  expect(text).toContain('procurement_client.erp will be updated in-place');
  expect(text).toContain(`- downstream_drift = "${drift}: an apply of this client puts it back" -> null`);
  expect(text).toContain('Plan: 0 to add, 1 to change, 0 to destroy');

  const shown = await fixture.tf.run('show', '-json', 'plan.tfplan');
  expectExit(shown, 0);
  const planFile = join(fixture.tf.dir, 'plan.json');
  writeFileSync(planFile, shown.stdout);
  const review = spawnSync(process.execPath, [BIN, 'review', planFile], { encoding: 'utf8', env: testEnvironment() });
  expect(review.stderr).toBe('');
  expect(review.stdout).toContain('1 object changed outside Terraform (drift)');
  // Markdown, as a pull-request comment shows it: underscores escaped.
  expect(review.stdout.replace(/\\_/g, '_').replace(/\s+/g, ' ')).toContain(`procurement_client.erp (erp) changed (downstream_drift) outside Terraform; ${drift}: an apply of this client puts it back; this plan puts it back`);

  expectExit(await fixture.tf.apply('plan.tfplan'), 0);
  expect(await requestToken(tokenEndpoint, stored.downstreamClientId!, stored.clientSecret, 'rfq.submit')).toMatchObject({ status: 400, error: 'invalid_scope' });
  expect(await requestToken(tokenEndpoint, stored.downstreamClientId!, stored.clientSecret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  const audit = (await fixture.control.admin.audit({ action: 'downstream.drift' })).items.map(e => e.reason);
  expect(audit).toEqual(expect.arrayContaining([expect.stringContaining('reported, not reverted'), expect.stringContaining('reverted')]));
  expectExit(await fixture.tf.plan(), 0);
});
