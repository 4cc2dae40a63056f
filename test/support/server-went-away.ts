/** How a request ends when the server dies under it: unreachable, refused, or the connection cut while the answer was read. */
import { ServerUnreachableError } from '../../lib/client/server-unreachable';

export function serverWentAway(error: unknown): boolean {
  if (error instanceof ServerUnreachableError) return true;
  // fetch's errors come from Node's own realm, where jest's `instanceof Error` does not hold: judged by shape.
  const { name, message, cause } = (error ?? {}) as Error;
  return name === 'TypeError' && /terminated|other side closed|socket|ECONNREFUSED|ECONNRESET/i.test(`${message} ${String(cause)}`);
}
