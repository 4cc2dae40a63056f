/**
 * The review posted to a pull request fits GitHub's comment limit whatever the
 * size of the change: 2,000 new clients, each gaining scopes, render under
 * 65,536 characters, summary first, with what was left out counted, flagged
 * rows first; the full review (no budget) keeps everything.
 */
import { PlanJson, ResourceChange } from '../../lib/review/plan-json';
import { COMMENT_MARKER, GITHUB_COMMENT_LIMIT } from '../../lib/review/render-markdown';
import { renderReview } from '../../lib/review/render-review';

const CLIENTS = 2_000;
/** Clients that also gain a high-risk scope. */
const FLAGGED = 7;

function created(type: string, name: string, after: Record<string, unknown>): ResourceChange {
  return { address: `${type}.${name}`, mode: 'managed', type, name, change: { actions: ['create'], before: null, after: { id: name, ...after } } };
}

/**
 * A plan creating two low-risk scopes and a role bound to all CLIENTS clients, and a high-risk scope whose role is
 * bound to the first FLAGGED of them (their rows are the flagged ones).
 */
function bigPlan(): PlanJson {
  const ids = Array.from({ length: CLIENTS }, (_, i) => `integration-${String(i).padStart(4, '0')}`);
  const scope = (name: string) => created('procurement_scope', name, { name, description: `Can ${name}`, risk: 'low', external: false, implies: [] });
  return {
    format_version: '1.2',
    timestamp: '2026-11-29T10:00:00Z',
    resource_changes: [
      scope('catalog.read'),
      scope('rfq.create'),
      created('procurement_scope', 'payment.approve', { name: 'payment.approve', description: 'Approve payments', risk: 'high', external: false, implies: [] }),
      created('procurement_role', 'buyer', { name: 'buyer', description: 'Buys', scopes: ['catalog.read', 'rfq.create'] }),
      created('procurement_role', 'approver', { name: 'approver', description: 'Approves', scopes: ['payment.approve'] }),
      ...ids.map((id, i) =>
        created('procurement_client', id, {
          client_id: id,
          display_name: id,
          owner: `team-${i % 40}`,
          external: false,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          token_lifetime_seconds: 3600,
          secret_rotation_days: 90,
        }),
      ),
      created('procurement_role_binding', 'buyers', {
        name: 'buyers',
        role: 'buyer',
        subject: ids.map(client_id => ({ client_id, expires_at: null, justification: null })),
      }),
      created('procurement_role_binding', 'approvers', {
        name: 'approvers',
        role: 'approver',
        subject: ids.slice(0, FLAGGED).map(client_id => ({ client_id, expires_at: '2026-12-20T00:00:00Z', justification: 'CHG-1' })),
      }),
    ],
  };
}

describe('review comment size', () => {
  const plan = bigPlan();
  const comment = renderReview(plan, { format: 'markdown' });
  const full = renderReview(plan, { format: 'markdown', markdown: { maxBytes: null } });

  test(`${CLIENTS} new clients stay under GitHub's ${GITHUB_COMMENT_LIMIT}-character limit, in characters and in bytes`, () => {
    expect(full.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT * 4); // the case is real: unbounded it would not fit
    expect([...comment].length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(Buffer.byteLength(comment)).toBeLessThanOrEqual(60_000);
  });

  test('the verdict and summary come first; what was left out is counted, flagged rows first', () => {
    const lines = comment.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[3]).toMatch(/^\*\*⚠ /);
    expect(lines[5]).toMatch(/^Plan: 2007 to add, 0 to change, 0 to destroy\./);
    // The access table: 2 scopes a client, and payment.approve (high) for the first FLAGGED: those are flagged and come first.
    const access = comment.slice(comment.indexOf('#### Access changes by client'));
    const firstRows = access.split('\n').filter(l => l.startsWith('| integration-')).slice(0, FLAGGED);
    expect(firstRows.every(r => /integration-000[0-6] \(new\) \| \+ gained \| payment\.approve \| high/.test(r))).toBe(true);
    const notes = [...comment.matchAll(/_(\d+) more (rows|items) not shown here(?: \((\d+) flagged\)|, none flagged): the comment would exceed GitHub's size limit; for the full review, run `procurement-scopes review --full` on the plan\._/g)];
    expect(notes.length).toBeGreaterThanOrEqual(1);
    // Every row is either shown or counted as left out.
    const shownAccess = (access.split('#### New clients')[0].match(/^\| integration-/gm) ?? []).length;
    const leftOutAccess = Number(notes[0][1]);
    expect(shownAccess + leftOutAccess).toBe(2 * CLIENTS + FLAGGED);
  });

  test('the full review keeps every row and says nothing was left out', () => {
    expect(full.match(/^\| integration-\d+ \(new\) \|/gm)).toHaveLength(2 * CLIENTS + FLAGGED);
    expect(full).not.toContain('not shown here');
  });

  test('--stack names the stack in the title and the marker; --full-review says where the full review is', () => {
    const named = renderReview(plan, { format: 'markdown', markdown: { stack: 'prod', fullReview: 'see the artifact review-prod' } });
    expect(named.split('\n')[0]).toBe('<!-- procurement-scopes-review stack=prod -->');
    expect(named).toContain('### procurement-scopes review: stack prod');
    expect(named).toContain('for the full review, see the artifact review-prod.');
  });

  test('a small review is rendered whole, as before', () => {
    const small = renderReview({ ...plan, resource_changes: plan.resource_changes!.slice(0, 3) }, { format: 'markdown' });
    expect(small).not.toContain('not shown here');
  });
});
