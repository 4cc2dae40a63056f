/**
 * The node:http limits of the server's one listener: how long a client may
 * take to send headers and a whole request, how long an idle keep-alive
 * connection stays, and how many connections may be open at once. Without
 * them, 1,500 connections trickling a body stayed open 300 s.
 */
import { Server, ServerOptions } from 'node:http';
import { ServerConfig } from './defaults';

type HttpLimits = Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'>;

/** Node checks the header and request timeouts on this interval (30 s by default), so it bounds how late they act. */
const TIMEOUT_CHECK_MS = 1_000;

export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, limits.headersTimeoutMs),
  };
}

export function applyConnectionLimits(server: Server, limits: HttpLimits): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
}
