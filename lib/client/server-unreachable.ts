/** The server could not be reached at all (refused, reset, timed out). */
export class ServerUnreachableError extends Error {
  constructor(readonly url: string, readonly cause: unknown) {
    super(`cannot reach the authorization server at ${url}: ${describeCause(cause)}`);
    this.name = 'ServerUnreachableError';
  }
}

/** A failed fetch's reason in a word or two: `ECONNREFUSED`, `timed out`, ... */
export function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string } })?.cause;
  if (inner?.code) return inner.code;
  if (cause instanceof Error && cause.name === 'TimeoutError') return 'timed out';
  return cause instanceof Error ? cause.message : String(cause);
}
