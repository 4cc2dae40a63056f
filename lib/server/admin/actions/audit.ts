/** `GET /admin/v1/audit`: the audit log, oldest first, filtered and paged by entry id. */
import { AuditQuery } from '../../../model/admin-api';
import { badRequest } from '../../errors';
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { parseKind } from '../kinds';
import { pageLimit } from '../paging';
import { parseTimestamp, timestampProblem } from '../../../model/timestamp';

const TEXT_FILTERS = ['key', 'actor', 'action', 'clientId'] as const;
const KNOWN = new Set(['kind', 'since', 'until', 'after', 'limit', ...TEXT_FILTERS]);

export const audit: AdminAction = async ({ store }, { res, query }) => {
  const filters = parseFilters(query);
  const limit = pageLimit(query);
  const rows = await store.queryAudit({ ...filters, limit: limit + 1 });
  const items = rows.slice(0, limit);
  sendJson(res, 200, { items, next: rows.length > limit ? String(items[items.length - 1].id) : null });
};

function parseFilters(query: URLSearchParams): Omit<AuditQuery, 'limit'> {
  for (const name of query.keys()) {
    if (!KNOWN.has(name)) throw badRequest(`unknown filter '${name}' (known: ${[...KNOWN].join(', ')})`, { field: name });
  }
  const out: Omit<AuditQuery, 'limit'> = {};
  for (const name of TEXT_FILTERS) {
    const value = query.get(name);
    if (value !== null) out[name] = value;
  }
  const kind = query.get('kind');
  if (kind !== null) out.kind = parseKindFilter(kind);
  for (const name of ['since', 'until'] as const) {
    const value = query.get(name);
    if (value === null) continue;
    const problem = timestampProblem(value);
    if (problem !== null) throw badRequest(`${name} ${problem}, got '${value}'`, { field: name });
    out[name] = new Date(parseTimestamp(value)).toISOString();
  }
  const after = query.get('after');
  if (after !== null) {
    if (!/^\d+$/.test(after)) throw badRequest(`after must be an audit entry id, got '${after}'`, { field: 'after' });
    out.after = after;
  }
  return out;
}

function parseKindFilter(kind: string) {
  try {
    return parseKind(kind);
  } catch (e) {
    throw badRequest((e as Error).message, { field: 'kind' });
  }
}
