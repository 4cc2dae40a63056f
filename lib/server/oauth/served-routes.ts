/**
 * Which of oidc-provider's routes this server serves, and under which name.
 * oidc-provider mounts every route it has (`/auth`, `/session/end`, `/me`,
 * PAR, ...) whatever the configuration; only the three the client-credentials
 * grant needs reach it, everything else is a 404 here. And each request
 * reaches it as if sent to the configured issuer: oidc-provider builds
 * endpoint URLs from `Host` and `X-Forwarded-Proto`, so both are set from the
 * issuer and a forged `Host` (or `X-Forwarded-*`) cannot change them.
 * `X-Forwarded-For` becomes the one source address request-source.ts
 * trusts, so oidc-provider's `ctx.ip` is that too.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ServerError } from '../errors';
import { requestSource } from '../request-source';

/** Path → methods; introspection, /healthz and /admin/v1 are answered by the server itself (server.ts). */
const SERVED: Readonly<Record<string, readonly string[]>> = {
  '/token': ['POST'],
  '/jwks': ['GET', 'HEAD'],
  '/.well-known/oauth-authorization-server': ['GET', 'HEAD'],
};

/** oidc-provider's (Koa's) request handler: its Promise settles when the answer is done, which shutdown waits for. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export function servedRoutes(issuer: URL, trustProxy: boolean, provider: Handler): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void> | void {
  return (req, res, pathname) => {
    const methods = Object.hasOwn(SERVED, pathname) ? SERVED[pathname] : null;
    if (!methods) {
      throw new ServerError(404, 'not_found', `no such endpoint; this server serves ${Object.keys(SERVED).join(', ')}, the introspection endpoint, /healthz and /admin/v1 (see ${issuer.origin}/.well-known/oauth-authorization-server)`);
    }
    if (!methods.includes(req.method ?? '')) {
      throw new ServerError(405, 'invalid_request', `${pathname} takes ${methods.join(' or ')}, got ${req.method}`, { headers: { allow: methods.join(', ') } });
    }
    req.headers.host = issuer.host;
    req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
    delete req.headers['x-forwarded-host'];
    req.headers['x-forwarded-for'] = requestSource(req, trustProxy);
    return provider(req, res);
  };
}
