/**
 * `GET /admin/v1/refusals?since=&clientId=&limit=&after=`: the refusal
 * counters of the token endpoint and introspection (refusal-counter.ts),
 * oldest minute first, paged by key. Needs the admin role: it names the
 * addresses that called, which plans and reviews never need.
 *
 * `GET /admin/v1/refusals/summary?since=`: the same counters summed per
 * client, endpoint and reason, addresses left out, for the read role (the
 * access map's "recent refusals"): since the last day unless told. Its size
 * is bounded by the clients, not by the refusals.
 */
import { RefusalCount } from '../../../model/admin-api';
import { parseTimestamp, timestampProblem } from '../../../model/timestamp';
import { badRequest } from '../../errors';
import { sendJson } from '../../http';
import { RefusalKey } from '../../store/store';
import { AdminAction } from '../context';
import { pageLimit } from '../paging';

const KNOWN = new Set(['since', 'clientId', 'limit', 'after']);
const SUMMARY_DEFAULT_MS = 86_400_000;

export const refusals: AdminAction = async ({ store }, { res, query }) => {
  for (const name of query.keys()) {
    if (!KNOWN.has(name)) throw badRequest(`unknown parameter '${name}' (known: ${[...KNOWN].join(', ')})`, { field: name });
  }
  const limit = pageLimit(query);
  const rows = await store.refusals({
    since: since(query.get('since')),
    clientId: query.get('clientId') ?? undefined,
    after: cursor(query.get('after')),
    limit: limit + 1,
  });
  const items = rows.slice(0, limit);
  sendJson(res, 200, { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]) : null });
};

export const refusalSummary: AdminAction = async ({ store, now }, { res, query }) => {
  for (const name of query.keys()) {
    if (name !== 'since') throw badRequest(`unknown parameter '${name}' (known: since)`, { field: name });
  }
  const from = since(query.get('since')) ?? new Date(now().getTime() - SUMMARY_DEFAULT_MS).toISOString();
  sendJson(res, 200, { since: from, items: await store.refusalTotals(from) });
};

function since(value: string | null): string | undefined {
  if (value === null) return undefined;
  const problem = timestampProblem(value);
  if (problem !== null) throw badRequest(`since ${problem}, got '${value}'`, { field: 'since' });
  return new Date(parseTimestamp(value)).toISOString();
}

/** The `next` of a page: the last row's key, opaque to callers. */
function encodeCursor({ minute, endpoint, clientId, source, reason }: RefusalCount): string {
  return Buffer.from(JSON.stringify([minute, endpoint, clientId, source, reason])).toString('base64url');
}

function cursor(value: string | null): RefusalKey | undefined {
  if (value === null) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (!Array.isArray(key) || key.length !== 5 || !key.every(part => typeof part === 'string')) {
    throw badRequest(`after must be the 'next' of a previous page, got '${value.slice(0, 100)}'`, { field: 'after' });
  }
  const [minute, endpoint, clientId, source, reason] = key as string[];
  return { minute, endpoint, clientId, source, reason } as RefusalKey;
}
