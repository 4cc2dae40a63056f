import { PolicyOverrides, recommendedPolicy } from '../../lib/policy';
import { PlanJson } from '../../lib/review/plan-json';
import { buildReview, Review, ScopeChange } from '../../lib/review/review';
import { renderReview } from '../../lib/review/render-review';
import { loadPlan } from './fixtures';

/** The policy the fixtures' server would hold: the recommended one of a non-production environment. */
const policy = (overrides: PolicyOverrides = {}) => recommendedPolicy('staging', overrides);

function review(name: string, withPolicy = false): Review {
  return buildReview(loadPlan(name), withPolicy ? { policy: policy() } : {});
}

/** The same plan, but with everything it would apply already live: nothing left to change. */
function alreadyApplied(plan: PlanJson): PlanJson {
  const resources = plan.resource_changes!.filter(r => r.change.after).map(r => ({ address: r.address, mode: r.mode, type: r.type, name: r.name, values: r.change.after! }));
  return {
    ...plan,
    prior_state: { values: { root_module: { resources } } },
    resource_changes: plan.resource_changes!.map(r => ({ ...r, change: { ...r.change, actions: ['no-op'], before: r.change.after } })),
  };
}

/** The access changes as `client change scope [flags]`, the way a reviewer scans them. */
function lines(r: Review): string[] {
  return r.scopeChanges.map((c: ScopeChange) => `${c.clientId} ${c.change} ${c.scope}${c.flags.length ? ` [${c.flags.join(', ')}]` : ''}`);
}

describe('review of a plan', () => {
  test('a plan that changes nothing says so', () => {
    const r = review('no-changes');
    expect(r.verdict).toBe('✓ No access changes');
    expect(r.flagged).toBe(false);
    expect(r.scopeChanges).toEqual([]);
  });

  test('a grant added shows the effective scopes gained through roles, bindings and implications', () => {
    const r = review('grant-added');
    expect(r.verdict).toBe('✓ No risk flags: 2 clients gain scopes');
    expect(lines(r)).toEqual([
      // The role buyer gained rfq.submit: every client bound to it gains it.
      'erp-sync gained rfq.submit',
      // ticket.write implies ticket.comment.
      'erp-sync gained ticket.comment',
      'erp-sync gained ticket.write',
      'procure-app gained rfq.submit',
    ]);
    expect(r.scopeChanges.find(c => c.scope === 'ticket.comment')?.via).toEqual(['support → ticket.write']);
    expect(r.definitions).toEqual([expect.objectContaining({ kind: 'role', key: 'buyer', details: ['scopes + rfq.submit', 'bound to 2 clients'] })]);
  });

  test('a grant removed shows what the client loses', () => {
    const r = review('grant-removed');
    expect(r.verdict).toBe('✓ No risk flags: 1 client loses scopes');
    expect(lines(r)).toEqual(['procure-app lost catalog.read', 'procure-app lost po.create']);
  });

  test('new and removed clients are listed with their effective scopes', () => {
    const r = review('client-added-removed');
    expect(r.verdict).toBe('✓ No risk flags: 1 client gains scopes, 1 client loses scopes, 1 new client, 1 removed client');
    expect(r.addedClients.map(c => [c.clientId, c.client?.external, c.scopes])).toEqual([
      ['invoice-scanner', true, ['catalog.read', 'invoice.submit', 'rfq.submit']],
    ]);
    expect(r.removedClients.map(c => [c.clientId, c.scopes])).toEqual([['legacy-punchout', ['catalog.read', 'po.create']]]);
    // External client, but every scope it gains is marked external: flagged as external, not as an isolation breach.
    expect(lines(r)).toContain('invoice-scanner gained invoice.submit [external client]');
  });

  test('a critical scope to an external client is one risky grant, named in the verdict with every flag the policy gives it', () => {
    const r = review('critical-to-external', true);
    expect(r.flagged).toBe(true);
    expect(r.verdict).toBe('⚠ 1 risky grant (worst: payment.approve (critical) to external client supplier-acme: separation of duties, external isolation, no expiry)');
    expect(lines(r)).toEqual([
      'supplier-acme gained payment.approve [critical, external client, separation of duties, external isolation, no expiry]',
    ]);
  });

  test('without a policy, the review judges risk only and says that no policy was judged', () => {
    const r = review('critical-to-external');
    expect(r.policy).toBeNull();
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('⚠ 1 risky grant (worst: payment.approve (critical) to external client supplier-acme)');
    expect(renderReview(loadPlan('critical-to-external'), { format: 'text' }).split('\n').slice(1, 3).join(' ').replace(/\s+/g, ' ')).toMatch(/No policy judged: the plan manages none; pass --policy-from <server url> \(the server's policy\) or --policy <file>/);
  });

  test('a separation-of-duties conflict the plan introduces names the client and the clashing scopes', () => {
    const r = review('separation-of-duties', true);
    expect(r.verdict).toBe('⚠ 1 risky grant (worst: po.create (high) to client approval-bot: separation of duties, not time-bound)');
    expect(r.findings.filter(f => f.ruleId === 'SEPARATION-OF-DUTIES')).toEqual([
      expect.objectContaining({ object: { kind: 'clients', key: 'approval-bot' }, isNew: true, flagged: true, exception: null, text: expect.stringContaining('at most one of {po.create, po.approve}') }),
    ]);
    expect(lines(r)).toEqual(['approval-bot gained catalog.read', 'approval-bot gained po.create [high, separation of duties, not time-bound]']);
    // The grant has an expiry, beyond the window: "not time-bound", not "no expiry".
    expect(r.scopeChanges[1].expiresAt).toBe('2025-09-30T00:00:00Z');
  });

  test('a conflict an exception accepted before this plan does not flag it; the exception is shown with its rule and reason', () => {
    const exception = { ruleId: 'SEPARATION-OF-DUTIES', object: { kind: 'clients' as const, key: 'approval-bot' }, reason: 'four-eyes check in the ERP, RISK-7', expiresAt: '2025-12-31T00:00:00Z' };
    const plan = alreadyApplied(loadPlan('separation-of-duties'));
    const r = buildReview(plan, { policy: policy({ exceptions: [exception] }) });
    expect(r.flagged).toBe(false);
    expect(r.findings.find(f => f.ruleId === 'SEPARATION-OF-DUTIES')).toMatchObject({ isNew: false, flagged: false, exception: { reason: exception.reason } });
    expect(r.exceptions).toEqual([{ ...exception, isNew: false, inUse: true }]);
    const markdown = renderReview(plan, { policy: policy({ exceptions: [exception] }), format: 'markdown' });
    expect(markdown).toMatch(/^\| SEPARATION-OF-DUTIES \(error\) \| clients approval-bot \| client 'approval-bot' would hold .* \| before this plan \| four-eyes check in the ERP, RISK-7 \(until 2025-12-31T00:00:00Z\) \|$/m);
    expect(markdown).toMatch(/^\| SEPARATION-OF-DUTIES \| clients approval-bot \| four-eyes check in the ERP, RISK-7 \| 2025-12-31T00:00:00Z \| accepts a finding \|$/m);
  });

  test('a conflict this plan introduces flags it even when an exception accepts it', () => {
    const exception = { ruleId: 'SEPARATION-OF-DUTIES', object: { kind: 'clients' as const, key: 'approval-bot' }, reason: 'four-eyes check in the ERP, RISK-7', expiresAt: null };
    const r = buildReview(loadPlan('separation-of-duties'), { policy: policy({ exceptions: [exception] }) });
    expect(r.flagged).toBe(true);
    expect(lines(r)).toContain('approval-bot gained po.create [high, separation of duties (accepted), not time-bound]');
  });

  test('the policy managed in the plan is the one judged, and an exception it adds is flagged', () => {
    const plan = loadPlan('separation-of-duties');
    const document = (exceptions: object[]) => JSON.stringify({ environment: 'staging', exceptions });
    const exception = { ruleId: 'SEPARATION-OF-DUTIES', object: { kind: 'clients', key: 'approval-bot' }, reason: 'four-eyes check in the ERP, RISK-7', expiresAt: null };
    plan.resource_changes!.push({
      address: 'procurement_policy.policy', mode: 'managed', type: 'procurement_policy', name: 'policy',
      change: { actions: ['update'], before: { document: document([]) }, after: { document: document([exception]) } },
    });
    const r = buildReview(plan);
    expect(r.policy).toEqual({ environment: 'staging', source: 'plan', changed: true });
    expect(r.exceptions).toEqual([{ ...exception, isNew: true, inUse: true }]);
    expect(r.verdict).toMatch(/; 1 new exception to the policy$/);
  });

  test('a risk raised on a scope lists the clients holding it and whether their grants end', () => {
    const plan = loadPlan('grant-removed');
    const live = plan.prior_state!.values!.root_module!.resources!.find(r => r.address === 'procurement_scope.po_approve')!;
    live.values = { ...live.values, risk: 'high' };
    const scope = plan.resource_changes!.find(c => c.address === 'procurement_scope.po_approve')!;
    scope.change.actions = ['update'];
    scope.change.before = live.values;
    const r = buildReview(plan);
    expect(r.definitions).toEqual([
      expect.objectContaining({ key: 'po.approve', details: ['risk high → critical', 'held by approval-bot (until 2025-09-30T00:00:00Z)'], flags: ['risk raised'] }),
    ]);
  });

  test('a risk the plan leaves to apply reads as unknown, never as low, and ranks above critical', () => {
    const plan = loadPlan('critical-to-external');
    const scope = plan.resource_changes!.find(c => c.address === 'procurement_scope.payment_approve')!;
    scope.change.actions = ['update'];
    delete scope.change.after!.risk;
    scope.change.after_unknown = { risk: true };
    const r = buildReview(plan);
    expect(r.scopeChanges.find(c => c.scope === 'payment.approve')).toMatchObject({ clientId: 'supplier-acme', risk: 'unknown', flags: ['risk unknown', 'external client'] });
    expect(r.verdict).toMatch(/^⚠ 1 risky grant \(worst: payment\.approve \(risk unknown\) to external client supplier-acme\)/);
    expect(renderReview(plan, { format: 'text' })).toMatch(/^ {2}supplier-acme +\+ gained +payment\.approve +unknown until apply +risk unknown, +never +payments +none given$/m);
  });

  test('a removed grant shows the expiry it had', () => {
    const text = renderReview(loadPlan('drift'), { format: 'text' });
    expect(text).toMatch(/^ {2}approval-bot +− lost +payment\.approve +critical +2025-09-30T00:00:00Z +approver$/m);
  });

  test('drift shows what changed outside Terraform, the access it gave, and whether the plan puts it back', () => {
    const r = review('drift');
    expect(r.verdict).toBe('⚠ 2 objects changed outside Terraform (drift)');
    const role = r.drift.find(d => d.key === 'approver')!;
    expect(role).toMatchObject({ action: 'update', attributes: ['scopes'], revertedByPlan: true });
    expect(role.access.map(a => `${a.clientId} ${a.change} ${a.scope} ${a.risk}`)).toEqual(['approval-bot gained payment.approve critical']);
    expect(r.drift.find(d => d.key === 'procure-app')).toMatchObject({ action: 'delete', revertedByPlan: true });
    // Live → planned: the plan takes back what was granted outside Terraform.
    expect(lines(r)).toEqual(['approval-bot lost payment.approve']);
  });

  test('values known only after apply are called out with the clients they affect', () => {
    const r = review('unknown-after-apply');
    expect(r.verdict).toBe('⚠ 1 value known only after apply');
    expect(r.unknown).toEqual([{ address: 'procurement_role.auditor', paths: ['scopes'], affectsClients: ['erp-sync'] }]);
    expect(r.definitions.find(d => d.key === 'auditor')?.details).toContain('scopes known only after apply');
  });

  test('an expired grant gives nothing: --now decides', () => {
    const before = buildReview(loadPlan('separation-of-duties'), { now: new Date('2025-10-01T00:00:00Z') });
    expect(before.verdict).toBe('✓ No access changes');
  });
});

describe('renderReview', () => {
  test('markdown starts with the verdict and has one table row per access change', () => {
    const md = renderReview(loadPlan('critical-to-external'), { format: 'markdown', policy: policy() });
    const verdictLine = md.split('\n').find(l => l.startsWith('**'));
    expect(verdictLine).toMatch(/^\*\*⚠ 1 risky grant \(worst: payment.approve \(critical\) to external client supplier-acme/);
    expect(md).toContain('| supplier-acme | + gained | payment.approve | critical | critical, external client, separation of duties, external isolation, no expiry | never | payments |');
    expect(md).toContain('#### Policy findings after apply');
  });

  test('text puts the verdict on the first line and aligns the per-client lines', () => {
    const text = renderReview(loadPlan('grant-removed'), { format: 'text' });
    const rows = text.split('\n');
    expect(rows[0]).toBe('✓ No risk flags: 1 client loses scopes');
    expect(rows).toContainEqual(expect.stringMatching(/^ {2}procure-app +− lost +po\.create +high /));
  });

  test('a long table folds what does not fit into <details>, flagged rows first', () => {
    const plan = loadPlan('separation-of-duties');
    const support = plan.resource_changes!.find(c => c.address === 'procurement_role_binding.support-desk')!;
    support.change.actions = ['update'];
    support.change.after = structuredClone(support.change.before);
    for (let i = 0; i < 30; i++) {
      (support.change.after!.subject as unknown[]).push({ client_id: `bulk-${String(i).padStart(2, '0')}`, expires_at: null, justification: null });
    }
    const md = renderReview(plan, { format: 'markdown', policy: policy() });
    const access = md.slice(md.indexOf('#### Access changes by client'));
    const [visible, folded] = access.split('<details>');
    expect(visible).toContain('| approval-bot | + gained | po.create | high | high, separation of duties, not time-bound |');
    expect(visible.match(/^\| bulk-/gm)).toHaveLength(18);
    // 30 clients gain ticket.write and ticket.comment: 60 unflagged rows; with approval-bot's two rows, 18 of them fit.
    expect(folded).toMatch(/^<summary>42 more rows, none flagged<\/summary>/);
    expect(folded.match(/^\| bulk-/gm)).toHaveLength(42);
  });
});
