/**
 * Audit rows as the store selects them (columns renamed to the API's fields, JSON columns still text), and
 * the byte budget of an audit page: a page ends at `limit` entries or once it holds `maxBytes`, whichever
 * comes first, but always holds at least one entry so that paging moves on.
 */
import { AuditEntry, AuditQuery } from '../../model/admin-api';

export type AuditRow = Omit<AuditEntry, JsonColumn> & Record<JsonColumn, string | null>;
type JsonColumn = 'before' | 'after' | 'requestedScopes' | 'grantedScopes';

/** Counted as the rows' text length (8 for anything else); a SQL pre-filter must count no more than this. */
export function auditRowBytes(row: AuditRow): number {
  return Object.values(row).reduce((sum: number, v) => sum + (typeof v === 'string' ? v.length : 8), 0);
}

/** Takes rows in id order until the page is full; `rows` may hold one more than fits (it then says `more`). */
export function auditPage(rows: Iterable<AuditRow>, limit: number, maxBytes: number): { entries: AuditEntry[]; more: boolean } {
  const taken: AuditRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    bytes += auditRowBytes(row);
    if (taken.length === limit || (taken.length > 0 && bytes > maxBytes)) return { entries: taken.map(toAuditEntry), more: true };
    taken.push(row);
  }
  return { entries: taken.map(toAuditEntry), more: false };
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  const parse = (text: string | null) => (text === null ? null : JSON.parse(text));
  return {
    ...row,
    before: parse(row.before),
    after: parse(row.after),
    requestedScopes: parse(row.requestedScopes),
    grantedScopes: parse(row.grantedScopes),
  };
}

/** Audit query filters as SQL conditions with `?` parameters. */
export function auditFilters(query: Omit<AuditQuery, 'limit'>): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [name, condition] of AUDIT_FILTERS) {
    if (query[name] === undefined) continue;
    params.push(name === 'after' ? Number(query[name]) : query[name]);
    where.push(`${condition} ?`);
  }
  return { where, params };
}

const AUDIT_FILTERS: readonly [keyof Omit<AuditQuery, 'limit'>, string][] = [
  ['kind', 'kind ='],
  ['key', 'key ='],
  ['actor', 'actor ='],
  ['action', 'action ='],
  ['clientId', 'client_id ='],
  ['since', 'at >='],
  ['until', 'at <'],
  ['after', 'id >'],
];
