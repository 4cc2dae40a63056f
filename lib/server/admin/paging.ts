/** The `limit` query parameter shared by every paged list. */
import { badRequest } from '../errors';

export const PAGE = { default: 100, max: 1_000 } as const;

export function pageLimit(query: URLSearchParams): number {
  const text = query.get('limit');
  if (text === null) return PAGE.default;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE.max) {
    throw badRequest(`limit must be an integer from 1 to ${PAGE.max}, got '${text}'`, { field: 'limit' });
  }
  return limit;
}
