/**
 * The admin API under `/admin/v1`: authenticates, applies the rate limit,
 * then hands the request to the one action its method and path name.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { isAdminToken } from '../admin-token';
import { ServerError, badRequest } from '../errors';
import { TokenBucket } from '../rate-limit';
import { audit } from './actions/audit';
import { deleteObject } from './actions/delete-object';
import { effectiveScopes } from './actions/effective-scopes';
import { getObject } from './actions/get-object';
import { listObjects } from './actions/list-objects';
import { adoptObject, getManager } from './actions/manager';
import { putObject } from './actions/put-object';
import { rotateSecret } from './actions/rotate-secret';
import { snapshot } from './actions/snapshot';
import { usage } from './actions/usage';
import { AdminAction, AdminContext } from './context';

export const ADMIN_PREFIX = '/admin/v1/';
const ACTOR_MAX_LENGTH = 200;

interface Route {
  method: string;
  /** Path segments; `*` matches any one segment. */
  pattern: string[];
  action: AdminAction;
}

// Fixed names first: `snapshot` would otherwise match `{kind}`.
const ROUTES: Route[] = [
  { method: 'GET', pattern: ['snapshot'], action: snapshot },
  { method: 'GET', pattern: ['audit'], action: audit },
  { method: 'GET', pattern: ['usage'], action: usage },
  { method: 'POST', pattern: ['clients', '*', 'secret'], action: rotateSecret },
  { method: 'GET', pattern: ['clients', '*', 'effective-scopes'], action: effectiveScopes },
  { method: 'GET', pattern: ['*', '*', 'manager'], action: getManager }, // role: read
  { method: 'PUT', pattern: ['*', '*', 'manager'], action: adoptObject }, // role: write (terraform import)
  { method: 'GET', pattern: ['*'], action: listObjects },
  { method: 'GET', pattern: ['*', '*'], action: getObject },
  { method: 'PUT', pattern: ['*', '*'], action: putObject },
  { method: 'DELETE', pattern: ['*', '*'], action: deleteObject },
];

export interface AdminRouterOptions {
  adminToken: string;
  /** Requests per second, or null for no limit. */
  rateLimit: number | null;
}

export class AdminRouter {
  private readonly bucket: TokenBucket | null;

  constructor(
    private readonly context: AdminContext,
    private readonly options: AdminRouterOptions,
  ) {
    this.bucket = options.rateLimit === null ? null : new TokenBucket(options.rateLimit);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.authenticate(req);
    this.throttle();
    const segments = splitPath(url.pathname.slice(ADMIN_PREFIX.length));
    const action = this.route(req.method ?? 'GET', segments);
    await action(this.context, { req, res, segments, query: url.searchParams, actor: actorOf(req) });
  }

  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (\S+)$/i.exec(header);
    if (!match || !isAdminToken(match[1], this.options.adminToken)) {
      throw new ServerError(401, 'unauthorized', match ? 'the admin token is wrong' : 'send the admin token as Authorization: Bearer <token>', {
        headers: { 'www-authenticate': 'Bearer realm="procurement-scopes admin"' },
      });
    }
  }

  private throttle(): void {
    const waitMs = this.bucket?.take() ?? 0;
    if (waitMs > 0) {
      throw new ServerError(429, 'rate_limited', `more than ${this.options.rateLimit} admin requests a second: retry later`, {
        headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) },
      });
    }
  }

  private route(method: string, segments: string[]): AdminAction {
    const matching = ROUTES.filter(
      r => r.pattern.length === segments.length && r.pattern.every((p, i) => p === '*' || p === segments[i]),
    );
    const route = matching.find(r => r.method === method);
    if (route) return route.action;
    if (matching.length === 0) throw new ServerError(404, 'not_found', `no admin endpoint at /admin/v1/${segments.join('/')}`);
    const allow = [...new Set(matching.map(r => r.method))].join(', ');
    throw new ServerError(405, 'method_not_allowed', `${method} is not allowed here; use ${allow}`, { headers: { allow } });
  }
}

function splitPath(path: string): string[] {
  const raw = path.split('/');
  if (raw[raw.length - 1] === '') raw.pop();
  try {
    return raw.map(decodeURIComponent);
  } catch {
    throw badRequest(`the path is not properly percent-encoded: /admin/v1/${path}`);
  }
}

function actorOf(req: IncomingMessage): string {
  const actor = req.headers['x-actor'];
  if (actor === undefined || actor === '') return 'unknown';
  if (Array.isArray(actor) || actor.length > ACTOR_MAX_LENGTH) {
    throw badRequest(`x-actor must be one value of at most ${ACTOR_MAX_LENGTH} characters`, { field: 'x-actor' });
  }
  return actor;
}
