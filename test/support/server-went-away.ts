/** How a request ends when the server dies under it: unreachable, or the connection cut while the answer was read. */
import { ServerUnreachableError } from '../../lib/client/server-unreachable';

export function serverWentAway(error: unknown): boolean {
  if (error instanceof ServerUnreachableError) return true;
  return error instanceof Error && error.name === 'TypeError' && /terminated|other side closed|socket/i.test(`${error.message} ${String(error.cause)}`);
}
