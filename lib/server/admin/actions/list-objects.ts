/** `GET /admin/v1/{kind}?limit=&after=`: one keyset page, sorted by key. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { parseKind } from '../kinds';
import { pageLimit } from '../paging';

export const listObjects: AdminAction = async ({ store }, { res, segments, query }) => {
  const kind = parseKind(segments[0]);
  const limit = pageLimit(query);
  const after = query.get('after') ?? undefined;
  // One more than asked tells whether another page follows without a second query.
  const rows = await store.list(kind, { limit: limit + 1, after });
  const items = rows.slice(0, limit).map(r => r.value);
  const next = rows.length > limit ? keyOfLast(items) : null;
  sendJson(res, 200, { items, next });
};

function keyOfLast(items: object[]): string {
  const last = items[items.length - 1] as Record<string, string>;
  return last.name ?? last.clientId;
}
