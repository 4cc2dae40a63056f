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
  // The OAuth error every endpoint answers it with (error-handler.ts), with a 503 and Retry-After.
  readonly error = 'temporarily_unavailable';
  readonly error_description = `the authorization server's store is unavailable; retry in ${STORE_RETRY_AFTER_SECONDS} s`;

  /** `detail` is for the operator's log only (it may hold the database's words). */
  constructor(readonly detail: string) {
    super('temporarily_unavailable');
    this.name = 'StoreUnavailableError';
  }
}
