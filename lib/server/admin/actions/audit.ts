/** `GET /admin/v1/audit`: the audit log, oldest first, filtered and paged by entry id, each page bounded in entries and bytes. */
import { AuditQuery } from '../../../model/admin-api';
import { badRequest } from '../../errors';
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { parseKind } from '../kinds';
import { pageLimit } from '../paging';
import { parseTimestamp, timestampProblem } from '../../../model/timestamp';

const TEXT_FILTERS = ['key', 'actor', 'action', 'clientId'] as const;
const KNOWN = new Set(['kind', 'since', 'until', 'after', 'limit', ...TEXT_FILTERS]);

/**
 * A page ends early past this much stored entry text (an entry holds whole objects, up to the body
 * limit each), so that no read answers, or holds in memory, more than a few MiB.
 */
export const AUDIT_PAGE_MAX_BYTES = 4 * 1024 * 1024;

export const audit: AdminAction = async ({ store }, { res, query }) => {
  const filters = parseFilters(query);
  const { entries, more } = await store.queryAudit({ ...filters, limit: pageLimit(query), maxBytes: AUDIT_PAGE_MAX_BYTES });
  sendJson(res, 200, { items: entries, next: more ? String(entries[entries.length - 1].id) : null });
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
