/**
 * Each request's id, in the `x-request-id` response header and in every log
 * line the request causes, so that a caller quoting it finds its lines. An
 * incoming `x-request-id` (a proxy's, a client's) is kept when it is a short
 * token of safe characters; anything else is replaced by a fresh UUID, so
 * what a caller sends never reaches the log unchecked or unbounded.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
export const MAX_REQUEST_ID_LENGTH = 64;
const SAFE_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_REQUEST_ID_LENGTH}}$`);

/** Takes or makes the request's id and sets it on the answer; read it back with requestIdOf. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The id assignRequestId gave the request this answer is for. */
export function requestIdOf(res: ServerResponse): string | undefined {
  const id = res.getHeader(REQUEST_ID_HEADER);
  return typeof id === 'string' ? id : undefined;
}
