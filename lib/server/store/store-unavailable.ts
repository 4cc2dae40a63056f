/**
 * The store cannot answer now (its database restarts, the network to it is
 * cut, every connection is busy): the request may succeed if retried in a
 * moment, so callers get a 503 with Retry-After, never a guess. A write in
 * flight when the connection broke may or may not have landed; it was not
 * acknowledged, and the admin API's writes are idempotent PUTs, so a retry
 * settles it.
 */
/** What a 503 for an unavailable store says in Retry-After: a restart or a failover takes seconds; clients back off further themselves. */
export const STORE_RETRY_AFTER_SECONDS = 1;

export class StoreUnavailableError extends Error {
  readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS;
  // oidc-provider answers an error thrown from our client adapter or grant handler with these fields
  // (lib/shared/error_handler.js and lib/helpers/err_out.js: statusCode, and, when expose is set, the message
  // as the OAuth error code), so the token endpoint says 503 temporarily_unavailable instead of a 500
  // server_error or a wrong invalid_client. The admin API words it itself (error-handler.ts).
  readonly statusCode = 503;
  readonly expose = true;
  readonly error = 'temporarily_unavailable';
  readonly error_description = `the authorization server's store is unavailable; retry in ${STORE_RETRY_AFTER_SECONDS} s`;

  /** `detail` is for the operator's log only (it may hold the database's words). */
  constructor(readonly detail: string) {
    super('temporarily_unavailable');
    this.name = 'StoreUnavailableError';
  }
}
