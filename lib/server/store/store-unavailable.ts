/**
 * The store cannot answer now (its database restarts, the network to it is
 * cut, every connection is busy): the request may succeed if retried in a
 * moment, so callers get a 503 with Retry-After, never a guess. A write in
 * flight when the connection broke may or may not have landed; it was not
 * acknowledged, and the admin API's writes are idempotent PUTs, so a retry
 * settles it.
 */
export class StoreUnavailableError extends Error {
  readonly retryAfterSeconds = 1;
  // oidc-provider answers an error thrown from our client adapter or grant handler with these fields
  // (its lib/shared/error_handler.js: statusCode, and error/error_description when expose is set), so the
  // token endpoint says 503 temporarily_unavailable instead of a 500 server_error or a wrong invalid_client.
  readonly statusCode = 503;
  readonly expose = true;
  readonly error = 'temporarily_unavailable';
  readonly error_description = `the authorization server's store is unavailable; retry in ${this.retryAfterSeconds} s`;

  constructor(readonly detail: string) {
    super("the authorization server's store is unavailable");
    this.name = 'StoreUnavailableError';
  }
}
