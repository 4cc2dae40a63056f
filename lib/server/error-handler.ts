/**
 * Turns anything thrown while answering a request into a JSON error. A
 * `ServerError` is answered as it says; anything else is a bug: the caller
 * gets a bare 500 and the operator's log gets the stack, never the caller.
 * The admin API words the explanation `message`; OAuth endpoints (RFC 6749
 * section 5.2) word it `error_description`.
 */
import { ServerResponse } from 'node:http';
import { ServerError } from './errors';
import { sendJson } from './http';
import { StoreUnavailableError } from './store/store-unavailable';
import { Logger } from './log';
import { requestIdOf } from './request-id';

export type ErrorFormat = 'admin' | 'oauth';

export function handleError(error: unknown, res: ServerResponse, log: Logger, format: ErrorFormat = 'admin'): void {
  const explanation = format === 'oauth' ? 'error_description' : 'message';
  const known = error instanceof ServerError ? error : error instanceof StoreUnavailableError ? storeUnavailable(error) : null;
  if (!known || known.status >= 500) {
    log.error({ reqId: requestIdOf(res) }, known?.options.detail ?? (error instanceof Error ? error.stack ?? error.message : String(error)));
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!known) {
    sendJson(res, 500, { error: 'server_error', [explanation]: 'the server failed to answer; see its log' });
    return;
  }
  const { field, problems, headers, extra } = known.options;
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
  sendJson(res, known.status, {
    error: known.code,
    [explanation]: known.message,
    ...(field === undefined ? {} : { field }),
    ...(problems === undefined ? {} : { problems }),
    ...extra,
  });
}

/** Retryable, and said so: the caller's backoff (the provider's, `verify`'s) honours Retry-After. */
function storeUnavailable(error: StoreUnavailableError): ServerError {
  return new ServerError(503, error.error, error.error_description, {
    headers: { 'retry-after': String(error.retryAfterSeconds) },
    detail: error.detail,
  });
}
