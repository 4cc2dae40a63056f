/**
 * The `glewlwyd` downstream: the glewlwyd server driven through its admin
 * REST API (`Authorization: token <API key>`), not through its RFC 7591/7592
 * plugin, which ignores a registrant's `scope` (shared/DOWNSTREAMS.md).
 *
 * - glewlwyd takes our names: the client id is the model's and the secret is
 *   the candidate one; nothing needs keeping (`state` is '').
 * - Scopes are global objects (`ensureScopes`), and a client holds a list of
 *   scope names. Trap: glewlwyd does not check that list against its scope
 *   objects (a name with no object is issued all the same), so the list is
 *   what decides, and it is what `list` reads back.
 * - A client allowed nothing is disabled AND holds an empty list: glewlwyd
 *   answers `scope_invalid` for an empty list, so either alone would do, and
 *   both together survive a hand-made change of one.
 * - `GET /api/client/` answers 100 clients unless asked for more: `list`
 *   pages, then confirms each owned client missing from the pages by itself,
 *   so that a client deleted or created between two pages is never taken
 *   for gone.
 * - A client id glewlwyd already holds is never taken over: `create` refuses
 *   it as a conflict; `adopt` (an explicit import, no reference beyond the
 *   client id) records it as the control plane's from then on.
 */
import { readFileSync } from 'node:fs';
import { Credentials, DownstreamAdapter, DownstreamError, OwnedClient, RemoteClient, ScopeObject } from './adapter';

export interface GlewlwydConfig {
  kind: 'glewlwyd';
  /** The admin API's root, `<glewlwyd url>/api`. */
  apiUrl: string;
  /** A file holding an admin API key (`POST /api/key/` with an admin session). */
  apiKeyFile: string;
  /** The name of the oauth2-glewlwyd plugin instance: its token endpoint is `<apiUrl>/<plugin>/token`. */
  plugin: string;
}

interface GlewlwydClient {
  client_id: string;
  enabled?: unknown;
  confidential?: unknown;
  authorization_type?: unknown;
  scope?: unknown;
}

const GRANT_TYPE = 'client_credentials';
const TIMEOUT_MS = 10_000;
const PAGE = 100;
/** What `call` answers for a 404 when the caller reads it as "gone" (a 200 with no body is not gone). */
const GONE = Symbol('gone');
const DESCRIPTION = 'Managed by procurement-scopes: a change made here is reverted or reported as drift';

export class GlewlwydAdapter implements DownstreamAdapter {
  readonly kind = 'glewlwyd';
  private readonly apiUrl: string;
  private readonly apiKey: string;

  constructor(private readonly config: GlewlwydConfig) {
    this.apiUrl = config.apiUrl.replace(/\/+$/, '');
    this.apiKey = readFileSync(config.apiKeyFile, 'utf8').trim();
  }

  /** The plugin's token endpoint, once glewlwyd confirms the plugin is an enabled oauth2 one allowing client credentials. */
  async tokenEndpoint(): Promise<string> {
    const answer = await this.call('read plugin', null, 'GET', `/mod/plugin/${encodeURIComponent(this.config.plugin)}`, undefined, true);
    const fix = `create or fix it in glewlwyd's admin console (module oauth2-glewlwyd, enabled, with 'auth-type-client-enabled')`;
    if (answer === GONE) throw new DownstreamError('refused', `${this.where()}: there is no plugin instance '${this.config.plugin}': ${fix}`);
    const plugin = (answer ?? {}) as Record<string, unknown>;
    const parameters = (plugin.parameters ?? {}) as Record<string, unknown>;
    if (plugin.module !== 'oauth2-glewlwyd' || plugin.enabled !== true || parameters['auth-type-client-enabled'] !== true) {
      throw new DownstreamError('refused', `${this.where()}: plugin instance '${this.config.plugin}' cannot issue client-credentials tokens: ${fix}`);
    }
    return `${this.apiUrl}/${encodeURIComponent(this.config.plugin)}/token`;
  }

  async list(owned: readonly OwnedClient[]): Promise<RemoteClient[]> {
    if (owned.length === 0) return [];
    const seen = new Map<string, GlewlwydClient>();
    for (const client of await this.all<GlewlwydClient>('list clients', '/client/')) seen.set(client.client_id, client);
    const out: RemoteClient[] = [];
    for (const { clientId } of owned) {
      const client = seen.get(clientId) ?? (await this.read(clientId));
      if (client) out.push(remoteClient(clientId, client));
    }
    return out;
  }

  async create(clientId: string, scopes: readonly string[], candidateSecret: string): Promise<{ owned: OwnedClient; credentials: Credentials }> {
    const body = { client_id: clientId, ...representation(clientId, scopes), password: candidateSecret };
    await this.call('create', clientId, 'POST', '/client/', body);
    return { owned: { clientId, remoteId: clientId, state: '' }, credentials: { clientId, clientSecret: candidateSecret } };
  }

  async adopt(clientId: string, reference: Readonly<Record<string, unknown>>): Promise<{ owned: OwnedClient; remote: RemoteClient }> {
    const extra = Object.keys(reference);
    if (extra.length > 0) throw new DownstreamError('invalid', `a glewlwyd client is adopted by its client id alone: leave out ${extra.map(f => `'${f}'`).join(', ')}`);
    const client = await this.read(clientId);
    if (!client) throw new DownstreamError('refused', `${this.where()}: there is no client '${clientId}' to adopt`);
    return { owned: { clientId, remoteId: clientId, state: '' }, remote: remoteClient(clientId, client) };
  }

  async setScopes(owned: OwnedClient, scopes: readonly string[]): Promise<OwnedClient> {
    // Without `password`, glewlwyd keeps the client's secret.
    const answer = await this.call('update', owned.clientId, 'PUT', clientPath(owned.clientId), representation(owned.clientId, scopes), true);
    if (answer === GONE) throw new DownstreamError('refused', `${this.where()}: client '${owned.clientId}' is gone from the downstream`);
    return owned;
  }

  async delete(owned: OwnedClient): Promise<void> {
    await this.call('delete', owned.clientId, 'DELETE', clientPath(owned.clientId), undefined, true);
  }

  async ensureScopes(scopes: readonly ScopeObject[]): Promise<void> {
    if (scopes.length === 0) return;
    const existing = new Set((await this.all<{ name: string }>('list scopes', '/scope/')).map(scope => scope.name));
    for (const { name, description } of scopes) {
      if (existing.has(name)) continue;
      await this.call(`create scope '${name}'`, null, 'POST', '/scope/', { name, display_name: name, description, password_required: false, scheme: {} });
    }
  }

  private async read(clientId: string): Promise<GlewlwydClient | null> {
    const answer = await this.call('read', clientId, 'GET', clientPath(clientId), undefined, true);
    return answer === GONE || answer === null ? null : (answer as GlewlwydClient);
  }

  /** Every item of a paged list (glewlwyd answers 100 unless asked for more). */
  private async all<T>(what: string, path: string): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.call(what, null, 'GET', `${path}?offset=${offset}&limit=${PAGE}`);
      if (!Array.isArray(page)) throw new DownstreamError('refused', `${this.where()}: ${what} did not answer a list`);
      items.push(...(page as T[]));
      if (page.length < PAGE) return items;
    }
  }

  /**
   * One admin API request; answers the parsed JSON body, null for an empty one, GONE for a 404 when `goneIsGone`. Never puts the API
   * key, a secret or a whole response body in an error.
   */
  private async call(what: string, clientId: string | null, method: string, path: string, body?: unknown, goneIsGone = false): Promise<unknown> {
    const subject = clientId === null ? '' : ` client '${clientId}'`;
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: { accept: 'application/json', authorization: `token ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      const code = ((cause as { cause?: { code?: unknown } }).cause?.code as string | undefined) ?? (cause as Error).message;
      throw new DownstreamError('unreachable', `${this.where()}: could not ${what}${subject}: ${code}`);
    }
    const text = await response.text();
    if (response.status === 404 && goneIsGone) return GONE;
    if (response.status === 401) {
      throw new DownstreamError('refused', `${this.where()}: ${what}${subject}: the API key in ${this.config.apiKeyFile} was refused (401): make a new one (POST /api/key/ as an administrator, with admin_session_authentication including api_key) and write it there`);
    }
    const messages = glewlwydMessages(text);
    if (method === 'POST' && clientId !== null && response.status === 400 && messages.some(m => /already exist/i.test(m))) {
      throw new DownstreamError(
        'conflict',
        `${this.where()}: client '${clientId}' already exists there and procurement-scopes did not create it, so it was left untouched`,
      );
    }
    if (path === '/scope/' && response.status === 400 && messages.some(m => /already exist/i.test(m))) return null; // created meanwhile: nothing to change
    if (!response.ok) {
      throw new DownstreamError('refused', `${this.where()}: ${what}${subject} answered ${response.status}${messages.length > 0 ? ` (${messages.join('; ')})` : ''}`);
    }
    if (text === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new DownstreamError('refused', `${this.where()}: ${what}${subject} answered ${response.status} with a body that is not JSON`);
    }
  }

  private where(): string {
    return `glewlwyd downstream ${this.apiUrl}`;
  }
}

/** The whole client as we keep it: a PUT replaces what a person changed by hand on it (drift). */
function representation(clientId: string, scopes: readonly string[]): Record<string, unknown> {
  return {
    name: clientId,
    description: DESCRIPTION,
    confidential: true,
    enabled: scopes.length > 0,
    authorization_type: [GRANT_TYPE],
    scope: [...scopes].sort(),
  };
}

function clientPath(clientId: string): string {
  return `/client/${encodeURIComponent(clientId)}`;
}

function remoteClient(clientId: string, client: GlewlwydClient): RemoteClient {
  const types = Array.isArray(client.authorization_type) ? client.authorization_type : [];
  // A public client cannot authenticate for client credentials: it is as good as disabled.
  const enabled = client.enabled === true && client.confidential === true && types.includes(GRANT_TYPE);
  const scopes = Array.isArray(client.scope) ? client.scope.filter((s): s is string => typeof s === 'string') : [];
  return { clientId, remoteId: client.client_id, enabled, scopes: enabled ? [...scopes].sort() : [] };
}

/**
 * glewlwyd's refusals are a list of fixed validation messages (`["client_id already exist"]`) or `{error: [...]}`:
 * the strings, bounded in number and length, never anything else of the body.
 */
function glewlwydMessages(text: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const list = Array.isArray(body) ? body : body && typeof body === 'object' ? Object.values(body as object).flat() : [];
  return list
    .filter((m): m is string => typeof m === 'string')
    .slice(0, 5)
    .map(m => m.slice(0, 200));
}
