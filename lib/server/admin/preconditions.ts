/**
 * Optimistic concurrency: every object's ETag is the store revision of its
 * last change; `If-Match` makes a PUT or DELETE conditional on it (412 when
 * the object changed or is gone since it was read; `*` = "must exist").
 */
import { IncomingMessage } from 'node:http';
import { ServerError } from '../errors';

export function etagOf(version: number): string {
  return `"${version}"`;
}

export function checkIfMatch(req: IncomingMessage, current: { version: number } | null): void {
  const header = req.headers['if-match'];
  if (header === undefined) return;
  const wanted = header.split(',').map(t => t.trim().replace(/^W\//, ''));
  if (current === null) {
    throw new ServerError(412, 'precondition_failed', `If-Match ${header} given but the object does not exist`);
  }
  if (wanted.includes('*') || wanted.includes(etagOf(current.version))) return;
  throw new ServerError(
    412,
    'precondition_failed',
    `the object changed since it was read: If-Match ${header}, current ETag ${etagOf(current.version)}; read it again`,
  );
}
