/**
 * HTTP client of the authorization server's admin API (`/admin/v1`), shared
 * by the provider, the CLI and the tests. It is the contract the embedded
 * server implements:
 *
 * - `Authorization: Bearer <admin token>` on every request; 401 without it.
 * - Errors answer `{ error: <code>, message: <for people>, field?, problems? }`.
 * - `GET {kind}?limit=&after=` → `{ items, next }` (keyset pages sorted by key).
 * - `GET {kind}/{key}` → the object, `ETag: "<version>"`; 404 when absent.
 * - `PUT {kind}/{key}` with the object (key equal to the path; defaults may be
 *   left out) → 201 created / 200 updated, the normalized object and its ETag.
 *   `If-Match` makes it conditional (412 on mismatch). Creating a client
 *   answers its secret once as `clientSecret`. Unknown references → 422.
 * - `DELETE {kind}/{key}` → 204; 404 when absent; 409 while something uses it.
 * - `GET snapshot` → every object and the store's revision, in one answer;
 *   `GET revision` → `{ revision }` alone.
 * - `POST clients/{id}/secret` → a new secret, answered once.
 * - `GET clients/{id}/effective-scopes`, `GET audit`, `GET usage`.
 * - `GET signing-keys`; `POST signing-keys` `{ publishDelaySeconds? }` (role
 *   `admin`) publishes the next token signing key, answered with the new set.
 * - `GET refusals` (admin role): refused token and introspection requests counted per minute.
 * - Admin tokens (role `admin`): `POST admin-tokens` `{ name, role }` → 201
 *   with the token, shown once; `GET admin-tokens`; `DELETE admin-tokens/{name}`
 *   revokes. Every token has a role: `read` (every GET), `write` (PUT, DELETE,
 *   secret rotation), `admin` (policy and tokens); a role too weak answers 403
 *   `insufficient_role`, an unknown or revoked token 401. The audit log's
 *   `actor` is the token's name; `x-actor` is kept beside it as `actorNote`.
 * - Ownership (lib/model/ownership.ts): every object may have a manager, the
 *   Terraform resource that created or imported it. `PUT`/`DELETE` carry the
 *   caller's manager id in `X-Manager` (and where it lives, for people, in
 *   `X-Manager-Label`). A create records it; changing or deleting an existing
 *   object needs the same id (no header matches an object without a manager),
 *   else 409 `not_manager`, also when a create meets an existing object.
 *   `X-Ownership-Override: <reason>` lets a caller without an id change a
 *   managed object; the audit entry keeps the reason. `GET snapshot` answers
 *   `managers` by kind and key. `PUT {kind}/{key}/manager` with a new
 *   `X-Manager` adopts the object (import); `GET {kind}/{key}/manager` reads it.
 *
 * Retries (see retrying-fetch.ts): 429 and 503 (honouring `Retry-After`) and
 * connection failures are retried with backoff; every write is an idempotent
 * PUT or DELETE, so a retry never duplicates anything.
 */
import { Kind, KindObject, Snapshot } from '../model/types';
import {
  AdminRole,
  DownstreamAdoption,
  DownstreamStatus,
  AdminTokenInfo,
  AdmissionAnswer,
  AuditEntry,
  AuditQuery,
  ClientSecret,
  CreatedAdminToken,
  EffectiveScopes,
  Page,
  ProposedChange,
  RefusalCount,
  RefusalQuery,
  SigningKeyInfo,
  SigningKeyRotation,
  UsageEntry,
  Versioned,
} from '../model/admin-api';
import { Manager, MANAGER_HEADER, MANAGER_LABEL_HEADER, OWNERSHIP_OVERRIDE_HEADER } from '../model/ownership';
import { Problem } from '../model/validate';
import { DEFAULT_RETRY_POLICY, RetryingFetch } from './retrying-fetch';
import { ServerUnreachableError } from './server-unreachable';

export { parseRetryAfter } from './retrying-fetch';
export { ServerUnreachableError };

export interface AdminClientOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8787`. */
  url: string;
  adminToken: string;
  /** Per-request timeout. @default 30_000 */
  timeoutMs?: number;
  /** Attempts, the first included, while the server cannot be reached. @default 6 */
  maxAttempts?: number;
  /** How long to keep retrying while the server answers 429 or 503. @default 120_000 */
  busyBudgetMs?: number;
  /** Requests in flight at once. @default 8 */
  maxInFlight?: number;
  /** Sent as `x-actor`: recorded in the audit log as a note beside the token's name (never as the identity). @default 'procurement-scopes' */
  actor?: string;
  /** Told of every retry, so that long waits are visible. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** A failed admin API call, with what the server said. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

export class AdminClient {
  private readonly base: string;
  private readonly http: RetryingFetch;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: AdminClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.http = new RetryingFetch({
      timeoutMs: options.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs,
      maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      busyBudgetMs: options.busyBudgetMs ?? DEFAULT_RETRY_POLICY.busyBudgetMs,
      onRetry: options.onRetry,
    });
    this.maxInFlight = options.maxInFlight ?? 8;
  }

  /** Requests sent, retries included: lets callers and tests see the cost of an operation. */
  get requestCount(): number {
    return this.http.attempts;
  }

  get url(): string {
    return this.base;
  }

  async snapshot(): Promise<Snapshot> {
    return (await this.request<Snapshot>('GET', 'snapshot')).body;
  }

  async get<K extends Kind>(kind: K, key: string): Promise<Versioned<KindObject[K]> | null> {
    try {
      const { body, etag } = await this.request<KindObject[K]>('GET', `${kind}/${encodeURIComponent(key)}`);
      return { value: body, etag };
    } catch (e) {
      if (e instanceof AdminApiError && e.status === 404) return null;
      throw e;
    }
  }

  /** Every object of a kind, following pages. */
  async list<K extends Kind>(kind: K, pageSize = 500): Promise<KindObject[K][]> {
    const out: KindObject[K][] = [];
    let after: string | null = null;
    do {
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (after) query.set('after', after);
      const { body } = await this.request<Page<KindObject[K]>>('GET', `${kind}?${query}`);
      out.push(...body.items);
      after = body.next;
    } while (after);
    return out;
  }

  /**
   * Creates or replaces an object. A created client comes back with its `clientSecret`, once; with a downstream
   * that assigns its own client ids, also with the id the client uses there (`downstreamClientId`).
   */
  async put<K extends Kind>(
    kind: K,
    object: KindObject[K],
    key: string,
    options: WriteOptions = {},
  ): Promise<{ value: KindObject[K]; created: boolean; clientSecret?: string; downstreamClientId?: string; etag: string | null }> {
    const headers = writeHeaders(options);
    const { status, body, etag } = await this.request<KindObject[K] & { clientSecret?: string; downstreamClientId?: string }>(
      'PUT',
      `${kind}/${encodeURIComponent(key)}`,
      object,
      headers,
    );
    const { clientSecret, downstreamClientId, ...value } = body;
    return { value: value as KindObject[K], created: status === 201, clientSecret, downstreamClientId, etag };
  }

  /** Where the push to the downstream server stands (`kind: 'embedded'` without one). */
  async downstream(): Promise<DownstreamStatus> {
    return (await this.request<DownstreamStatus>('GET', 'downstream')).body;
  }

  /**
   * Adopts a client someone else made on the downstream into the control plane's ownership (admin token);
   * `reference` is what the downstream's kind needs to find it (rfc7592: its registration URI and access token);
   * `replace` lets it take the place of a downstream client the control plane made for that client (deleted there).
   */
  async adoptDownstream(clientId: string, reference: Record<string, string> = {}, replace = false): Promise<DownstreamAdoption> {
    return (await this.request<DownstreamAdoption>('PUT', `downstream/clients/${encodeURIComponent(clientId)}${replace ? '?replace=true' : ''}`, reference)).body;
  }

  /** Deletes an object; answers false when it was already gone. */
  async delete(kind: Kind, key: string, options: WriteOptions = {}): Promise<boolean> {
    try {
      await this.request('DELETE', `${kind}/${encodeURIComponent(key)}`, undefined, writeHeaders(options));
      return true;
    } catch (e) {
      if (e instanceof AdminApiError && e.status === 404) return false;
      throw e;
    }
  }

  async rotateSecret(clientId: string): Promise<ClientSecret> {
    return (await this.request<ClientSecret>('POST', `clients/${encodeURIComponent(clientId)}/secret`, {})).body;
  }

  async effectiveScopes(clientId: string): Promise<EffectiveScopes> {
    return (await this.request<EffectiveScopes>('GET', `clients/${encodeURIComponent(clientId)}/effective-scopes`)).body;
  }

  async audit(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    return (await this.request<Page<AuditEntry>>('GET', `audit?${queryString(query)}`)).body;
  }

  async usage(clientId?: string): Promise<UsageEntry[]> {
    const params = new URLSearchParams(clientId ? { clientId } : {});
    return (await this.request<{ items: UsageEntry[] }>('GET', `usage?${params}`)).body.items;
  }

  /** The store's revision: every object write bumps it. */
  async revision(): Promise<number> {
    return (await this.request<{ revision: number }>('GET', 'revision')).body.revision;
  }

  async createAdminToken(name: string, role: AdminRole): Promise<CreatedAdminToken> {
    return (await this.request<CreatedAdminToken>('POST', 'admin-tokens', { name, role })).body;
  }

  async listAdminTokens(): Promise<AdminTokenInfo[]> {
    return (await this.request<{ items: AdminTokenInfo[] }>('GET', 'admin-tokens')).body.items;
  }

  async revokeAdminToken(name: string): Promise<void> {
    await this.request('DELETE', `admin-tokens/${encodeURIComponent(name)}`);
  }

  /** Which Terraform resource manages the object; null when none does. */
  async manager(kind: Kind, key: string): Promise<Manager | null> {
    return (await this.request<{ manager: Manager | null }>('GET', `${kind}/${encodeURIComponent(key)}/manager`)).body.manager;
  }

  /** Makes `claim` the object's manager (what `terraform import` does); the previous manager loses it. */
  async adopt(kind: Kind, key: string, claim: ManagerClaim): Promise<Manager> {
    const path = `${kind}/${encodeURIComponent(key)}/manager`;
    return (await this.request<{ manager: Manager }>('PUT', path, undefined, writeHeaders({ manager: claim }))).body.manager;
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; body: T; etag: string | null; headers: Headers }> {
    await this.acquire();
    try {
      const response = await this.http.fetch(`${this.base}/admin/v1/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.adminToken}`,
          'x-actor': this.options.actor ?? 'procurement-scopes',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...extraHeaders,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const parsed = text ? safeJson(text) : undefined;
      if (!response.ok) {
        const err = (parsed ?? {}) as { error?: string; message?: string; problems?: Problem[] };
        throw new AdminApiError(
          response.status,
          err.error ?? `http_${response.status}`,
          err.message ?? (text.slice(0, 200) || response.statusText),
          method,
          `/admin/v1/${path}`,
          err.problems ?? [],
        );
      }
      return { status: response.status, body: parsed as T, etag: response.headers.get('etag'), headers: response.headers };
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return;
    }
    await new Promise<void>(resolve => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** Asks the server's policy (or `policy`, a document the same plan puts in force first) about `changes` made together, writing nothing (a dry run of admission). */
  async admission(changes: ProposedChange[], policy?: unknown): Promise<AdmissionAnswer> {
    return (await this.request<AdmissionAnswer>('POST', 'admission', policy === undefined ? { changes } : { changes, policy })).body;
  }

  /** The policy document the server enforces, with its ETag, and whether it is the environment's preset or a stored document (null: a server that does not say). */
  async policy(): Promise<Versioned<unknown> & { source: PolicySource | null }> {
    const { body, etag, headers } = await this.request<unknown>('GET', 'policy');
    const source = headers.get('x-policy-source');
    return { value: body, etag, source: source === 'preset' || source === 'stored' ? source : null };
  }

  /** Replaces the server's policy document; answers it as stored. */
  async putPolicy(document: unknown, options: { ifMatch?: string } = {}): Promise<Versioned<unknown>> {
    const headers: Record<string, string> = options.ifMatch ? { 'if-match': options.ifMatch } : {};
    const { body, etag } = await this.request<unknown>('PUT', 'policy', document, headers);
    return { value: body, etag };
  }

  /** Back to the environment's recommended preset (the stored document goes); answers the preset. Needs an admin token. */
  async deletePolicy(): Promise<Versioned<unknown>> {
    const { body, etag } = await this.request<unknown>('DELETE', 'policy');
    return { value: body, etag };
  }

  /** The name and role of the admin token this client sends. */
  async whoami(): Promise<{ name: string; role: AdminRole }> {
    return (await this.request<{ name: string; role: AdminRole }>('GET', 'token')).body;
  }

  /** The token signing keys still published (role read). */
  async signingKeys(): Promise<SigningKeyInfo[]> {
    return (await this.request<{ items: SigningKeyInfo[] }>('GET', 'signing-keys')).body.items;
  }

  /** Creates the next signing key, signing after the publish delay (role admin; server default one hour). */
  async rotateSigningKey(publishDelaySeconds?: number): Promise<SigningKeyRotation> {
    return (await this.request<SigningKeyRotation>('POST', 'signing-keys', publishDelaySeconds === undefined ? {} : { publishDelaySeconds })).body;
  }

  /** Refused token and introspection requests, counted per minute, endpoint, client, source and reason (admin role). */
  async refusals(query: RefusalQuery = {}): Promise<Page<RefusalCount>> {
    return (await this.request<Page<RefusalCount>>('GET', `refusals?${queryString(query)}`)).body;
  }
}

/** Where the policy a server enforces comes from: its environment's recommended preset, or a document stored through the admin API. */
export type PolicySource = 'preset' | 'stored';

/** Who writes, for the server's ownership check. */
export interface ManagerClaim {
  id: string;
  /** Where the manager lives, for people (at most 200 characters, one line). */
  label?: string;
}

export interface WriteOptions {
  ifMatch?: string;
  /** The caller's manager id; leave it out for an object no Terraform resource manages. */
  manager?: ManagerClaim;
  /** Change a managed object without its manager id, for this written reason (kept in the audit log). */
  overrideReason?: string;
}

function writeHeaders(options: WriteOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  if (options.manager) headers[MANAGER_HEADER] = options.manager.id;
  if (options.manager?.label) headers[MANAGER_LABEL_HEADER] = options.manager.label;
  if (options.overrideReason) headers[OWNERSHIP_OVERRIDE_HEADER] = options.overrideReason;
  return headers;
}

function queryString(query: object): URLSearchParams {
  return new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

