/**
 * The admin API's wire types: what its endpoints answer besides the model
 * objects themselves. Here, low in the layers, so that the server that
 * answers them and the client that reads them share one definition.
 */
import { Grant } from './effective-scopes';
import { Kind } from './types';

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Versioned<T> {
  value: T;
  etag: string | null;
}

export interface ClientSecret {
  clientId: string;
  clientSecret: string;
}

export interface EffectiveScopes {
  clientId: string;
  scopes: string[];
  grants: Grant[];
}

export interface AuditEntry {
  id: number;
  at: string;
  /** The name of the admin token that made the change (`bootstrap` for the server's configured token), or the client for token events. */
  actor: string;
  /** What the caller said about itself in `x-actor` (e.g. a CI job), unverified: never an identity. Null when it said nothing. */
  actorNote?: string | null;
  action: string;
  kind: Kind | null;
  key: string | null;
  before: unknown;
  after: unknown;
  clientId: string | null;
  requestedScopes: string[] | null;
  grantedScopes: string[] | null;
  reason: string | null;
}

export interface UsageEntry {
  clientId: string;
  scope: string;
  lastUsedAt: string;
}

export interface AuditQuery {
  kind?: Kind;
  key?: string;
  actor?: string;
  action?: string;
  clientId?: string;
  since?: string;
  until?: string;
  limit?: number;
  after?: string;
}

/**
 * Why the token endpoint or introspection refused a request, from a fixed set: the counters
 * (`GET refusals`) and `procurement_token_refusals_total` never keep what an unauthenticated caller
 * wrote, only which of these it was. Mostly the OAuth error answered; a refused scope (answered
 * `invalid_scope`) is told apart by SCOPE_REFUSAL_REASONS.
 */
export const REFUSAL_REASONS = [
  'invalid_client',
  'invalid_scope',
  'expired_grant',
  'policy',
  'unauthorized_client',
  'invalid_request',
  'unsupported_grant_type',
  'invalid_target',
  'body_too_large',
  'rate_limited',
  'other',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * The reasons of a request refused a scope (all answered `invalid_scope`), most fundamental first: a
 * request refused several scopes counts under the first of these that applies to one of them.
 * `invalid_scope`: a scope never granted to the client (or malformed); `policy`: granted, but the
 * policy in force withholds it; `expired_grant`: granted by bindings that have all expired.
 */
export const SCOPE_REFUSAL_REASONS = ['invalid_scope', 'policy', 'expired_grant'] as const satisfies readonly RefusalReason[];
export type ScopeRefusalReason = (typeof SCOPE_REFUSAL_REASONS)[number];

/** The endpoints whose refusals are counted. */
export type RefusalEndpoint = 'token' | 'introspection';

/**
 * Refusals of one minute, for one client, source and reason. `clientId` is a registered client's id, or
 * `unknown` (an id that names no client: never stored as sent) or `none` (no client named); `source` is
 * the caller's address (IPv6 by its /64), or `other` once a minute holds too many distinct rows.
 */
export interface RefusalCount {
  /** The minute, as an RFC 3339 UTC time (`2026-11-29T14:05:00.000Z`). */
  minute: string;
  endpoint: RefusalEndpoint;
  clientId: string;
  source: string;
  reason: RefusalReason;
  count: number;
}

/**
 * Refusals since a time, per client, endpoint and reason, without the addresses that called (`GET refusals/summary`,
 * for the read role): which clients are being refused what, and when last.
 */
export interface RefusalTotal {
  clientId: string;
  endpoint: RefusalEndpoint;
  reason: RefusalReason;
  count: number;
  /** The latest minute with such a refusal, as an RFC 3339 UTC time. */
  lastMinute: string;
}

export interface RefusalQuery {
  /** Only minutes at or after this time. */
  since?: string;
  clientId?: string;
  limit?: number;
  /** The `next` of the previous page. */
  after?: string;
}

/** An object a change or a finding is about. */
export interface ObjectRef {
  kind: Kind;
  key: string;
}

/** One object a proposed change creates or replaces (`value`) or deletes (`delete: true`). */
export interface ProposedChange {
  kind: Kind;
  key: string;
  value?: unknown;
  delete?: boolean;
}

/** What the server's policy says about a write (admission) or a proposed set of changes (dry run). */
export interface AdmissionFinding {
  ruleId: string;
  severity: 'error' | 'warning';
  /** What is wrong, the values involved and what to do. */
  message: string;
  /** The objects involved, the one at fault first. */
  objects: ObjectRef[];
  /** Where in the object at fault, in model terms (e.g. `['subjects', 0]`), when one field is. */
  field?: (string | number)[];
  /** Already true of the store before the change: reported, but it does not refuse the change. */
  existing: boolean;
  /** The policy exception that accepts this finding (it is then a warning), with its written reason. */
  exception?: { reason: string; expiresAt: string | null };
}

/** `POST admission`: would the server accept these changes, made together? */
export interface AdmissionAnswer {
  allowed: boolean;
  /** The environment whose policy judged, and that policy's version (its ETag). */
  environment: string;
  policyVersion: number;
  findings: AdmissionFinding[];
}

/**
 * What an admin token may do. Each role includes the ones before it:
 * `read` (snapshot, GET, usage, audit, effective scopes, dry-run admission:
 * all a plan, a review and a drift check need), `write` (PUT and DELETE of
 * objects, secret rotation: apply), `admin` (the policy and admin tokens).
 */
export const ADMIN_ROLES = ['read', 'write', 'admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export function roleAllows(held: AdminRole, needed: AdminRole): boolean {
  return ADMIN_ROLES.indexOf(held) >= ADMIN_ROLES.indexOf(needed);
}

/** An admin token as listed: never the token itself, which is shown once, on create. */
export interface AdminTokenInfo {
  name: string;
  role: AdminRole;
  createdAt: string;
  /** The name of the token that created it; null for the bootstrap token. */
  createdBy: string | null;
  revokedAt: string | null;
}

/** The answer to creating an admin token: the only time `token` is shown. */
export interface CreatedAdminToken extends AdminTokenInfo {
  token: string;
}

/** A token signing key as the admin API shows it (never its private part). */
export interface SigningKeyInfo {
  kid: string;
  /** `next`: published, not signing yet; `active`: signs new tokens; `retired`: published until its last token expires. */
  state: 'next' | 'active' | 'retired';
  createdAt: string;
  activatesAt: string;
  /** When it leaves the JWKS; null for the active and next keys. */
  removeAt: string | null;
}

/** `POST signing-keys`: the key just created (published now, signing from its `activatesAt`) and the whole set after the rotation. */
export interface SigningKeyRotation {
  next: SigningKeyInfo;
  keys: SigningKeyInfo[];
}

/** `GET /admin/v1/downstream`: where the control plane's push to the downstream server stands (lib/server/downstream). */
export interface DownstreamStatus {
  /** The downstream's kind (`rfc7592`, `glewlwyd`), or `embedded` when the server has none. */
  kind: string;
  /** True when the last pass pushed everything and nothing waits. */
  inSync: boolean;
  /** When the last pass that reached the downstream and finished started; null before the first. */
  lastReconcileAt: string | null;
  /** What the downstream does not hold yet, removals first, in the order they will be pushed. */
  pending: { clientId: string; change: 'create' | 'delete' | 'set' | 'forget'; scopes: string[] | null; why: string | null }[];
  /** Recent changes made on the downstream by someone else, and what was done about each. */
  drift: { clientId: string; expected: string[]; found: string[] | null; action: 'reverted' | 'reported'; at: string }[];
  /** Recent failed passes, the last error last. */
  failures: { at: string; error: string }[];
  /**
   * The clients whose downstream state is not what the model allows now, as the last pass left them: what the
   * model allows, what the downstream holds (null: no such client there) and why. Plans show these (the client's
   * `downstream_drift`); empty when in sync.
   */
  outOfSync: DownstreamOutOfSync[];
}

export interface DownstreamOutOfSync {
  clientId: string;
  wanted: string[];
  held: string[] | null;
  why: string;
}

/** `PUT downstream/clients/{clientId}`: a client someone else made on the downstream, now owned by the control plane. */
export interface DownstreamAdoption {
  clientId: string;
  /** The id the downstream knows it by. */
  remoteId: string;
  /** False when it was already this client's: nothing changed. */
  adopted: boolean;
  /** The scopes it held there when adopted ([]: disabled); the model's are pushed over them right after. */
  held: string[];
}

/**
 * The error codes of a write that was stored in the control plane but not pushed to its downstream: the object
 * exists, so a create that met one is in doubt (landed), not refused; its retry is the same create.
 */
export const STORED_NOT_PUSHED: readonly string[] = ['downstream_not_synced', 'downstream_client_exists'];
