/**
 * The one error type of the server. `message` is for the caller and must be
 * safe to show; `detail` is for the operator's log only (it may hold a SQL
 * message or a stack). The error handler turns it into
 * `{ error, message, field?, problems? }`.
 */
import { RefusalReason } from '../model/admin-api';
import { Problem } from '../model/validate';

export interface ServerErrorOptions {
  field?: string;
  problems?: Problem[];
  headers?: Record<string, string>;
  detail?: string;
  /** More fields of the JSON answer, e.g. the findings of a refused write. */
  extra?: Record<string, unknown>;
  /** How the refusal counters and metrics count it, when finer than `code` (a refused scope's `policy` or `expired_grant`). */
  refusal?: RefusalReason;
}

export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: ServerErrorOptions = {},
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

export const badRequest = (message: string, options?: ServerErrorOptions) =>
  new ServerError(400, 'invalid_request', message, options);

export const notFound = (message: string) => new ServerError(404, 'not_found', message);
