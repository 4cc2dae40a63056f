/**
 * The address a request comes from, for limits and counters keyed by source.
 * Directly connected: the socket's peer. Behind a reverse proxy
 * (`--trust-proxy`): the last `X-Forwarded-For` entry, the one the proxy
 * appended; entries before it are whatever the client sent and prove nothing.
 * Anything that is not an IP address falls back to the peer, so what this
 * answers is always bounded.
 */
import { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function requestSource(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : header ?? '').split(',');
  const last = entries[entries.length - 1].trim();
  return isIP(last) ? last : peer;
}
