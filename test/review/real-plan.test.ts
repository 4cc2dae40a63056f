/**
 * The review on a REAL plan: the real `terraform` and our provider against
 * the embedded server. One change set holds what the fixtures hold one at a
 * time: drift made through the admin API, a critical scope granted to an
 * external client, a new client, and a role change that reaches every bound
 * client. Guards the hand-written fixtures against drifting from the format.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPlan } from '../../lib/review/plan-json';
import { renderReview } from '../../lib/review/render-review';
import { recommendedPolicy } from '../../lib/policy';
import { buildReview, Review } from '../../lib/review/review';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

function configuration(change: boolean) {
  const subjects = (...ids: string[]) => ids.map(id => ({ client_id: `\${procurement_client.${id}.client_id}`, expires_at: null, justification: null }));
  return {
    resource: {
      procurement_scope: {
        catalog_read: { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low', external: true },
        po_create: { name: 'po.create', description: 'Create purchase orders', risk: 'high' },
        po_approve: { name: 'po.approve', description: 'Approve purchase orders', risk: 'critical' },
      },
      procurement_role: {
        buyer: { name: 'buyer', description: 'Buyers', scopes: ['${procurement_scope.catalog_read.name}'] },
        approver: { name: 'approver', description: 'Approvers', scopes: ['${procurement_scope.po_approve.name}'] },
      },
      procurement_client: {
        erp: { client_id: 'erp-sync', display_name: 'ERP sync', owner: 'procurement-platform' },
        acme: { client_id: 'supplier-acme', display_name: 'ACME', owner: 'supplier-onboarding', external: true },
        ...(change ? { newbie: { client_id: 'newbie', display_name: 'New integration', owner: 'procurement-platform' } } : {}),
      },
      procurement_role_binding: {
        buyers: { name: 'buyers', role: '${procurement_role.buyer.name}', subject: change ? subjects('erp', 'newbie') : subjects('erp') },
        approvers: { name: 'approvers', role: '${procurement_role.approver.name}', subject: change ? subjects('acme') : [] },
      },
    },
  };
}

describe('review of a real terraform plan', () => {
  let server: EmbeddedServer;
  let tf: Workspace;
  let secretsDir: string;
  let planText: string;
  let review: Review;

  beforeAll(async () => {
    // The plan must reach the review with its dangerous grants (the server's policy would stop them at plan).
    server = await startServer({ policy: { environment: 'dev', severities: { 'EXTERNAL-ISOLATION': 'off', 'TIME-BOUND-HIGH-RISK': 'off' } } });
    secretsDir = mkdtempSync(join(tmpdir(), 'review-secrets-'));
    tf = await createWorkspace({ url: server.url, adminToken: server.adminToken, provider: { secrets_dir: secretsDir } });
    tf.writeConfig(configuration(false));
    expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);

    // Out of band: someone widens the buyer role on the server.
    await server.admin.put('roles', { name: 'buyer', description: 'Buyers', scopes: ['catalog.read', 'po.create'] }, 'buyer', { overrideReason: 'test: changed out of band' });
    tf.writeConfig(configuration(true));
    expectExit(await tf.run('plan', '-input=false', '-out=plan.tfplan'), 0);
    const shown = await tf.run('show', '-json', 'plan.tfplan');
    expectExit(shown, 0);
    planText = shown.stdout;
    review = buildReview(checkPlan(JSON.parse(planText), 'plan.json'), { policy: recommendedPolicy('test') });
  });

  afterAll(async () => {
    tf?.remove();
    rmSync(secretsDir, { recursive: true, force: true });
    await server?.stop();
  });

  test('the verdict names the critical grant to an external client and the drift', () => {
    expect(review.flagged).toBe(true);
    expect(review.verdict).toMatch(/^⚠ 1 risky grant \(worst: po.approve \(critical\) to external client supplier-acme: external isolation, no expiry\); /);
    expect(review.verdict).toContain('1 object changed outside Terraform (drift)');
  });

  test('per client: gained through the new binding, lost as the plan reverts the drift, new client', () => {
    const lines = review.scopeChanges.map(c => `${c.clientId} ${c.change} ${c.scope} [${c.flags.join(', ')}]`);
    expect(lines).toEqual([
      'erp-sync lost po.create []',
      'newbie gained catalog.read []',
      'supplier-acme gained po.approve [critical, external client, external isolation, no expiry]',
    ]);
    expect(review.addedClients.map(c => c.clientId)).toEqual(['newbie']);
  });

  test('drift names the role changed outside Terraform and the access it gave', () => {
    expect(review.drift).toHaveLength(1);
    expect(review.drift[0]).toMatchObject({ address: 'procurement_role.buyer', key: 'buyer', action: 'update', attributes: ['scopes'], revertedByPlan: true });
    expect(review.drift[0].access.map(a => `${a.clientId} ${a.change} ${a.scope}`)).toEqual(['erp-sync gained po.create']);
  });

  test('neither the plan nor the review holds a client secret', () => {
    const secrets = readdirSync(secretsDir).map(f => (JSON.parse(readFileSync(join(secretsDir, f), 'utf8')) as { clientSecret: string }).clientSecret);
    expect(secrets).toHaveLength(2);
    const rendered = renderReview(checkPlan(JSON.parse(planText), 'plan.json'), { format: 'markdown' });
    for (const secret of secrets) {
      expect(planText).not.toContain(secret);
      expect(rendered).not.toContain(secret);
    }
    expect(planText).not.toContain(server.adminToken);
  });
});
