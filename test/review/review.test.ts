import { buildReview, Review, ScopeChange } from '../../lib/review/review';
import { renderReview } from '../../lib/review/render-review';
import { loadPlan } from './fixtures';

function review(name: string): Review {
  return buildReview(loadPlan(name));
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

  test('a critical scope to an external client carries every flag that applies', () => {
    const r = review('critical-to-external');
    expect(r.flagged).toBe(true);
    expect(r.verdict).toMatch(/^⚠ 1 critical scope granted to an external client; 1 client gains critical scopes; 1 external client gains scopes not marked external; 1 high-risk grant without expiry/);
    expect(lines(r)).toEqual([
      'supplier-acme gained payment.approve [critical, external client, scope not marked external, no expiry, separation of duties]',
    ]);
  });

  test('a separation-of-duties conflict names the client and the clashing scopes', () => {
    const r = review('separation-of-duties');
    expect(r.verdict).toBe('⚠ 1 client gains high-risk scopes; 1 separation-of-duties conflict');
    expect(r.conflicts).toEqual([{ clientId: 'approval-bot', set: ['po.create', 'po.approve'], held: ['po.create', 'po.approve'], isNew: true }]);
    expect(lines(r)).toEqual(['approval-bot gained catalog.read', 'approval-bot gained po.create [high, separation of duties]']);
    // The grant is time-bound, so it is not flagged "no expiry".
    expect(r.scopeChanges[1].expiresAt).toBe('2025-09-30T00:00:00Z');
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
    const md = renderReview(loadPlan('critical-to-external'), { format: 'markdown' });
    const verdictLine = md.split('\n').find(l => l.startsWith('**'));
    expect(verdictLine).toMatch(/^\*\*⚠ 1 critical scope granted to an external client;/);
    expect(md).toContain('| supplier-acme | + gained | payment.approve | critical | critical, external client, scope not marked external, no expiry, separation of duties | never | payments |');
    expect(md).toContain('#### Separation-of-duties conflicts');
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
    const md = renderReview(plan, { format: 'markdown' });
    const [visible, folded] = md.split('<details>');
    expect(visible).toContain('| approval-bot | + gained | po.create | high | high, separation of duties |');
    expect(visible.match(/^\| bulk-/gm)).toHaveLength(18);
    // 30 clients gain ticket.write and ticket.comment: 60 unflagged rows; with approval-bot's two rows, 18 of them fit.
    expect(folded).toMatch(/^<summary>42 more rows, none flagged<\/summary>/);
    expect(folded.match(/^\| bulk-/gm)).toHaveLength(42);
  });
});
