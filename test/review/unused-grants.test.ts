import { buildReview } from '../../lib/review/review';
import { renderReview } from '../../lib/review/render-review';
import { loadPlan } from './fixtures';

const NOW = new Date('2025-06-02T09:30:00Z');

describe('grants kept but not used', () => {
  const plan = loadPlan('grant-added');
  const before = buildReview(plan, { now: NOW });

  test('are listed from the usage record: never used, or not used within the window', () => {
    const kept = buildReview(plan, { now: NOW, usage: { entries: [], unusedAfterDays: 90 } }).unused!.grants;
    // Everything kept is unused when nobody ever got a token; scopes gained in this plan are not listed.
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.every(g => g.lastUsedAt === null)).toBe(true);
    const gained = new Set(before.scopeChanges.filter(c => c.change === 'gained').map(c => `${c.clientId} ${c.scope}`));
    expect(kept.filter(g => gained.has(`${g.clientId} ${g.scope}`))).toEqual([]);

    const [recent, stale] = kept;
    const usage = {
      entries: [
        { clientId: recent.clientId, scope: recent.scope, lastUsedAt: '2025-06-01T00:00:00Z' },
        { clientId: stale.clientId, scope: stale.scope, lastUsedAt: '2025-01-01T00:00:00Z' },
      ],
      unusedAfterDays: 90,
    };
    const review = buildReview(plan, { now: NOW, usage });
    expect(review.unused!.grants).not.toContainEqual(expect.objectContaining({ clientId: recent.clientId, scope: recent.scope }));
    expect(review.unused!.grants).toContainEqual({ clientId: stale.clientId, scope: stale.scope, lastUsedAt: '2025-01-01T00:00:00Z' });

    const text = renderReview(plan, { now: NOW, usage, format: 'text' });
    expect(text).toContain('Grants kept but not used in the last 90 days');
    expect(text).toMatch(new RegExp(`${stale.clientId}\\s+${stale.scope.replace('.', '\\.')}\\s+2025-01-01T00:00:00Z`));
  });

  test('are not mentioned without a usage record', () => {
    expect(before.unused).toBeNull();
    expect(renderReview(plan, { now: NOW, format: 'markdown' })).not.toContain('not used');
  });
});
