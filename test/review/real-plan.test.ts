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

// The server's policy: the plan must reach the review with its dangerous grants (this policy would stop them at plan).
const SERVER_POLICY = { environment: 'dev', severities: { 'EXTERNAL-ISOLATION': 'off', 'TIME-BOUND-HIGH-RISK': 'off' } };
const EXCEPTION = {
  ruleId: 'EXTERNAL-ISOLATION',
  object: { kind: 'clients', key: 'supplier-acme' },
  reason: 'ACME approves the purchase orders of its own consignment stock under framework contract C-2291',
  expiresAt: '2099-01-31T00:00:00Z',
};
// At the longest the model allows: the text review must still keep within 120 columns.
const LONG_CLIENT = `north-european-procurement-integration-platform-${'x'.repeat(16)}`;
const LONG_SCOPE = `catalog.${'supplier-consignment-stock-levels-'.repeat(2)}read`;
const LONG_JUSTIFICATION = 'CHG-40417: the consignment stock integration reads supplier stock levels every night, agreed with the category managers';

function configuration(change: boolean) {
  const subjects = (...ids: string[]) => ids.map(id => ({ client_id: `\${procurement_client.${id}.client_id}`, expires_at: null, justification: null }));
  const policy = change ? { ...SERVER_POLICY, maxHighRiskGrantDays: 30, exceptions: [EXCEPTION] } : SERVER_POLICY;
  return {
    resource: {
      procurement_policy: { dev: { environment: 'dev', document: JSON.stringify(policy) } },
      procurement_scope: {
        catalog_read: { name: 'catalog.read', description: 'Read supplier catalogs', risk: 'low', external: true },
        po_create: { name: 'po.create', description: 'Create purchase orders', risk: 'high' },
        po_approve: { name: 'po.approve', description: 'Approve purchase orders', risk: 'critical' },
        stock: { name: LONG_SCOPE, description: 'Read consignment stock levels', risk: 'high' },
      },
      procurement_role: {
        buyer: { name: 'buyer', description: 'Buyers', scopes: ['${procurement_scope.catalog_read.name}'] },
        approver: { name: 'approver', description: 'Approvers', scopes: ['${procurement_scope.po_approve.name}'] },
        stock: { name: 'consignment-stock-level-readers-for-the-nightly-supplier-sync', description: 'Stock', scopes: ['${procurement_scope.stock.name}'] },
      },
      procurement_client: {
        erp: { client_id: 'erp-sync', display_name: 'ERP sync', owner: 'procurement-platform' },
        acme: { client_id: 'supplier-acme', display_name: 'ACME', owner: 'supplier-onboarding', external: true },
        ...(change
          ? {
              newbie: { client_id: 'newbie', display_name: 'New integration', owner: 'procurement-platform' },
              long: { client_id: LONG_CLIENT, display_name: 'Consignment stock', owner: 'procurement-platform' },
            }
          : {}),
      },
      procurement_role_binding: {
        buyers: { name: 'buyers', role: '${procurement_role.buyer.name}', subject: change ? subjects('erp', 'newbie') : subjects('erp') },
        approvers: { name: 'approvers', role: '${procurement_role.approver.name}', subject: change ? subjects('acme') : [] },
        ...(change
          ? {
              stock: {
                name: 'stock-readers',
                role: '${procurement_role.stock.name}',
                subject: [{ client_id: '${procurement_client.long.client_id}', expires_at: '2099-01-01T00:00:00Z', justification: LONG_JUSTIFICATION }],
              },
            }
          : {}),
      },
    },
  };
}

describe('review of a real terraform plan', () => {
  let server: EmbeddedServer;
  let tf: Workspace;
  let secretsDir: string;
  let planText: string;
  let planOutput: string;
  let review: Review;

  beforeAll(async () => {
    server = await startServer({ policy: SERVER_POLICY });
    secretsDir = mkdtempSync(join(tmpdir(), 'review-secrets-'));
    tf = await createWorkspace({ url: server.url, adminToken: server.adminToken, provider: { secrets_dir: secretsDir } });
    tf.writeConfig(configuration(false));
    expectExit(await tf.init(), 0);
    expectExit(await tf.apply(), 0);

    // Out of band: someone widens the buyer role on the server.
    await server.admin.put('roles', { name: 'buyer', description: 'Buyers', scopes: ['catalog.read', 'po.create'] }, 'buyer', { overrideReason: 'test: changed out of band' });
    tf.writeConfig(configuration(true));
    const planned = await tf.run('plan', '-input=false', '-out=plan.tfplan');
    expectExit(planned, 0);
    planOutput = planned.stdout;
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
    expect(review.verdict).toMatch(/^⚠ 2 risky grants \(worst: po.approve \(critical\) to external client supplier-acme: external isolation, no expiry\); /);
    expect(review.verdict).toContain('1 object changed outside Terraform (drift)');
  });

  test('per client: gained through the new binding, lost as the plan reverts the drift, new client', () => {
    const lines = review.scopeChanges.map(c => `${c.clientId} ${c.change} ${c.scope} [${c.flags.join(', ')}]`);
    expect(lines).toEqual([
      'erp-sync lost po.create []',
      'newbie gained catalog.read []',
      `${LONG_CLIENT} gained ${LONG_SCOPE} [high, not time-bound]`,
      'supplier-acme gained po.approve [critical, external client, external isolation, no expiry]',
    ]);
    expect(review.addedClients.map(c => c.clientId)).toEqual([LONG_CLIENT, 'newbie']);
  });

  test("the counts are Terraform's own, the procurement_policy and updates included", () => {
    const terraformSays = /^Plan: .*$/m.exec(planOutput)?.[0];
    // 2 clients and a binding to add; the policy, two bindings and the role put back (drift) to change.
    expect(terraformSays).toBe('Plan: 3 to add, 4 to change, 0 to destroy.');
    const summary = renderReview(checkPlan(JSON.parse(planText), 'plan.json'), { format: 'text' }).split('\n').find(l => l.startsWith('Plan: '));
    expect(summary).toMatch(new RegExp(`^${terraformSays!.replace(/\./g, '\\.')} `));
  });

  test('the policy change is summarised, never dumped; the justification stands beside the grant', () => {
    const text = renderReview(checkPlan(JSON.parse(planText), 'plan.json'), { format: 'text' });
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Policy changed by this plan (its apply needs an admin token): - maxHighRiskGrantDays: 90 → 30 - exception added: EXTERNAL-ISOLATION for clients supplier-acme until 2099-01-31T00:00:00Z, because "ACME approves');
    expect(text).not.toContain('conflictingScopeSets');
    expect(review.scopeChanges.find(c => c.clientId === LONG_CLIENT)).toMatchObject({ scope: LONG_SCOPE, justifications: [LONG_JUSTIFICATION] });
    expect(flat).toContain(`Justification: ${LONG_JUSTIFICATION}`);
  });

  test('every line of the text review keeps within 120 columns, long names and all', () => {
    const text = renderReview(checkPlan(JSON.parse(planText), 'plan.json'), { format: 'text', policy: recommendedPolicy('test') });
    const lines = text.split('\n');
    expect(lines.filter(l => l.length > 120)).toEqual([]);
    // Nothing is lost to the wrapping, and no name is cut.
    for (const name of [LONG_CLIENT, LONG_SCOPE]) expect(text).toContain(name);
    expect(text.replace(/\s+/g, ' ')).toContain(LONG_JUSTIFICATION);
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
