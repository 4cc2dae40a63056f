/**
 * The admin API under `/admin/v1`: authenticates the bearer token (a named
 * admin token, admin-tokens.ts), applies the rate limit, finds the one action
 * its method and path name, and checks that the token's role is enough for it.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { AdmissionFinding, AdminRole, roleAllows } from '../../model/admin-api';
import { AdminIdentity, AdminTokens } from '../admin-tokens';
import { POLICY_VIOLATION, refuses } from '../admission/admission';
import { MetricsSink } from '../metrics/server-metrics';
import { ServerError, badRequest } from '../errors';
import { TokenBucket } from '../rate-limit';
import { dryRunAdmission } from './actions/admission';
import { audit } from './actions/audit';
import { createAdminToken } from './actions/create-admin-token';
import { deleteObject } from './actions/delete-object';
import { adoptDownstreamClient, downstreamStatus } from './actions/downstream';
import { getEffectiveScopes } from './actions/effective-scopes';
import { getObject } from './actions/get-object';
import { listAdminTokens } from './actions/list-admin-tokens';
import { listObjects } from './actions/list-objects';
import { deletePolicy, getPolicy, policyFindings, putPolicy } from './actions/policy';
import { whoami } from './actions/whoami';
import { adoptObject, getManager } from './actions/manager';
import { putObject } from './actions/put-object';
import { refusalSummary, refusals } from './actions/refusals';
import { revision } from './actions/revision';
import { revokeAdminToken } from './actions/revoke-admin-token';
import { rotateSecret } from './actions/rotate-secret';
import { listSigningKeys, rotateSigningKey } from './actions/signing-keys';
import { snapshot } from './actions/snapshot';
import { usage } from './actions/usage';
import { AdminAction, AdminContext } from './context';

export const ADMIN_PREFIX = '/admin/v1/';
const ACTOR_NOTE_MAX_LENGTH = 200;

export interface Route {
  method: string;
  /** Path segments; `*` matches any one segment. */
  pattern: string[];
  /** The least role a token needs: `read` changes nothing, `write` changes objects (apply), `admin` manages the server's policy and tokens. */
  role: AdminRole;
  action: AdminAction;
  /** A route that writes: the action it is counted under in procurement_admin_writes_total (metrics/server-metrics.ts). */
  write?: 'put' | 'delete' | 'create' | 'revoke' | 'rotate' | 'rotate-secret' | 'adopt';
}

// Fixed names first: `snapshot` would otherwise match `{kind}`, and the first route with the method wins.
export const ROUTES: Route[] = [
  { method: 'GET', pattern: ['snapshot'], role: 'read', action: snapshot },
  { method: 'GET', pattern: ['revision'], role: 'read', action: revision },
  { method: 'GET', pattern: ['audit'], role: 'read', action: audit },
  { method: 'GET', pattern: ['usage'], role: 'read', action: usage },
  { method: 'GET', pattern: ['downstream'], role: 'read', action: downstreamStatus },
  // Takes a client someone else made on the downstream into the control plane's ownership (before `{kind}/{key}/manager`).
  { method: 'PUT', pattern: ['downstream', 'clients', '*'], role: 'admin', action: adoptDownstreamClient, write: 'adopt' },
  // It names the addresses that called: operators' business, not plans'.
  { method: 'GET', pattern: ['refusals'], role: 'admin', action: refusals },
  // Summed without the addresses: which clients are refused what, for reviewers and the access map.
  { method: 'GET', pattern: ['refusals', 'summary'], role: 'read', action: refusalSummary },
  { method: 'GET', pattern: ['policy'], role: 'read', action: getPolicy },
  { method: 'PUT', pattern: ['policy'], role: 'admin', action: putPolicy, write: 'put' },
  { method: 'DELETE', pattern: ['policy'], role: 'admin', action: deletePolicy, write: 'delete' },
  // Who the caller is: lets a plan say which token its apply will need (a policy change needs admin).
  { method: 'GET', pattern: ['token'], role: 'read', action: whoami },
  { method: 'GET', pattern: ['policy', 'findings'], role: 'read', action: policyFindings },
  // Plans ask it with a read token; it writes nothing.
  { method: 'POST', pattern: ['admission'], role: 'read', action: dryRunAdmission },
  { method: 'GET', pattern: ['admin-tokens'], role: 'admin', action: listAdminTokens },
  { method: 'POST', pattern: ['admin-tokens'], role: 'admin', action: createAdminToken, write: 'create' },
  { method: 'DELETE', pattern: ['admin-tokens', '*'], role: 'admin', action: revokeAdminToken, write: 'revoke' },
  { method: 'GET', pattern: ['signing-keys'], role: 'read', action: listSigningKeys },
  { method: 'POST', pattern: ['signing-keys'], role: 'admin', action: rotateSigningKey, write: 'rotate' },
  { method: 'POST', pattern: ['clients', '*', 'secret'], role: 'write', action: rotateSecret, write: 'rotate-secret' },
  { method: 'GET', pattern: ['clients', '*', 'effective-scopes'], role: 'read', action: getEffectiveScopes },
  { method: 'GET', pattern: ['*', '*', 'manager'], role: 'read', action: getManager },
  // terraform import adopts the object for the importing resource.
  { method: 'PUT', pattern: ['*', '*', 'manager'], role: 'write', action: adoptObject, write: 'adopt' },
  { method: 'GET', pattern: ['*'], role: 'read', action: listObjects },
  { method: 'GET', pattern: ['*', '*'], role: 'read', action: getObject },
  { method: 'PUT', pattern: ['*', '*'], role: 'write', action: putObject, write: 'put' },
  { method: 'DELETE', pattern: ['*', '*'], role: 'write', action: deleteObject, write: 'delete' },
];

/** What each role is for, in the words of a refusal: "a read token cannot apply changes: use a write or admin token". */
const ROLE_PURPOSE: Record<AdminRole, string> = {
  read: 'read the server',
  write: 'apply changes (write objects, rotate secrets)',
  admin: 'manage the policy or admin tokens',
};

export interface AdminRouterOptions {
  /** Requests per second, or null for no limit. */
  rateLimit: number | null;
  /** Counts writes and admission refusals. */
  metrics: MetricsSink;
}

export class AdminRouter {
  private readonly bucket: TokenBucket | null;

  constructor(
    private readonly context: AdminContext,
    private readonly options: AdminRouterOptions,
  ) {
    this.bucket = options.rateLimit === null ? null : new TokenBucket(options.rateLimit, () => context.now().getTime());
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const identity = await authenticateAdmin(this.context.adminTokens, req);
    this.throttle();
    const segments = splitPath(url.pathname.slice(ADMIN_PREFIX.length));
    const route = this.route(req.method ?? 'GET', segments);
    authorize(identity, route, segments);
    try {
      await route.action(this.context, {
        req,
        res,
        segments,
        query: url.searchParams,
        actor: identity.name,
        role: identity.role,
        actorNote: actorNoteOf(req),
      });
    } catch (error) {
      if (error instanceof ServerError && error.code === POLICY_VIOLATION) {
        const findings = (error.options.extra?.findings ?? []) as AdmissionFinding[];
        this.options.metrics.admissionRefused(findings.filter(refuses).map(f => f.ruleId));
      }
      throw error;
    }
    // The kind is the object kind a wildcard matched (the action has checked it) or the resource's fixed name.
    if (route.write) this.options.metrics.adminWrite(route.pattern[0] === '*' ? segments[0] : route.pattern[0], route.write);
  }

  private throttle(): void {
    const waitMs = this.bucket?.take() ?? 0;
    if (waitMs > 0) {
      throw new ServerError(429, 'rate_limited', `more than ${this.options.rateLimit} admin requests a second: retry later`, {
        headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) },
      });
    }
  }

  private route(method: string, segments: string[]): Route {
    const matching = ROUTES.filter(
      r => r.pattern.length === segments.length && r.pattern.every((p, i) => p === '*' || p === segments[i]),
    );
    const route = matching.find(r => r.method === method);
    if (route) return route;
    if (matching.length === 0) throw new ServerError(404, 'not_found', `no admin endpoint at /admin/v1/${segments.join('/')}`);
    const allow = [...new Set(matching.map(r => r.method))].join(', ');
    throw new ServerError(405, 'method_not_allowed', `${method} is not allowed here; use ${allow}`, { headers: { allow } });
  }
}

/** The identity of the request's `Authorization: Bearer` admin token; 401 when there is none or it is unknown or revoked. */
export async function authenticateAdmin(adminTokens: AdminTokens, req: IncomingMessage): Promise<AdminIdentity> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (\S+)$/i.exec(header);
  const identity = match ? await adminTokens.authenticate(match[1]) : null;
  if (!identity) {
    throw new ServerError(
      401,
      'unauthorized',
      match ? 'the admin token is unknown or revoked: ask an admin for a token (procurement-scopes admin-token create)' : 'send an admin token as Authorization: Bearer <token>',
      { headers: { 'www-authenticate': 'Bearer realm="procurement-scopes admin"' } },
    );
  }
  return identity;
}

/** 403 when the token's role is too weak, naming the token, what the endpoint needs and which token to use instead. */
function authorize(identity: AdminIdentity, route: Route, segments: string[]): void {
  if (roleAllows(identity.role, route.role)) return;
  const stronger = route.role === 'write' ? 'a write or admin token' : 'an admin token';
  throw new ServerError(
    403,
    'insufficient_role',
    `a ${identity.role} token cannot ${ROLE_PURPOSE[route.role]}: ${route.method} /admin/v1/${segments.join('/').slice(0, 200)} needs the ${route.role} role, ` +
      `and the token '${identity.name}' has ${identity.role}; use ${stronger}`,
  );
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

function actorNoteOf(req: IncomingMessage): string | null {
  const note = req.headers['x-actor'];
  if (note === undefined || note === '') return null;
  if (Array.isArray(note) || note.length > ACTOR_NOTE_MAX_LENGTH) {
    throw badRequest(`x-actor must be one value of at most ${ACTOR_NOTE_MAX_LENGTH} characters`, { field: 'x-actor' });
  }
  return note;
}
