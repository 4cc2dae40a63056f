/**
 * The `rfc7592` downstream: any server with RFC 7591 dynamic client
 * registration and RFC 7592 registration management (node-oidc-provider,
 * Keycloak's client registration service, ORY Hydra, Okta, Curity...).
 *
 * - The server assigns the client id and secret: `create` answers them; the
 *   model's client id travels as `client_name`, for people reading the
 *   downstream's console.
 * - Each client is managed with its registration access token and URI, kept in
 *   `OwnedClient.state` (a secret). There is no list endpoint in the RFCs:
 *   `list` reads each owned client.
 * - The server has no scope registry reachable through these RFCs:
 *   `ensureScopes` does nothing; the scopes must be configured there.
 * - Trap (DOWNSTREAMS.md): a client registered or updated without `scope`
 *   may get every scope. A client allowed nothing is therefore disabled
 *   (no grant type) and holds only `openid`, a scope every OpenID provider
 *   knows and no API grants.
 * - Adopting a client registered by someone else (an explicit import) takes
 *   its registration URI and access token, what RFC 7592 manages it with;
 *   the URI must be on the registration endpoint's origin, so that the token
 *   is never sent anywhere else. There is no name clash: the server assigns
 *   every client id.
 * - `PUT` replaces the whole registration: it repeats what was read back
 *   (client_secret included, as RFC 7592 asks), with our fields changed.
 */
import { readFileSync } from 'node:fs';
import { Credentials, DownstreamAdapter, DownstreamError, OwnedClient, RemoteClient } from './adapter';

export interface Rfc7592Config {
  kind: 'rfc7592';
  issuer: string;
  initialAccessTokenFile: string;
}

interface Metadata {
  registration_endpoint: string;
  token_endpoint: string;
}

interface RegistrationState {
  token: string;
  uri: string;
}

/** What adopting a client registered by someone else needs: what RFC 7592 manages a registration with. */
const ADOPT_FIELDS = ['registrationClientUri', 'registrationAccessToken'];
const REFERENCE_MAX_LENGTH = 4096;
/** What a disabled client holds in place of a scope list it may not have empty. */
const DISABLED_SCOPE = 'openid';
const GRANT_TYPE = 'client_credentials';
const TIMEOUT_MS = 10_000;

export class Rfc7592Adapter implements DownstreamAdapter {
  readonly kind = 'rfc7592';
  private metadata: Metadata | null = null;
  private readonly initialAccessToken: string;

  constructor(private readonly config: Rfc7592Config) {
    this.initialAccessToken = readFileSync(config.initialAccessTokenFile, 'utf8').trim();
  }

  async tokenEndpoint(): Promise<string> {
    return (await this.discover()).token_endpoint;
  }

  async list(owned: readonly OwnedClient[]): Promise<RemoteClient[]> {
    const out: RemoteClient[] = [];
    for (const client of owned) {
      const registration = await this.read(client);
      if (registration) out.push(remoteClient(client.clientId, registration));
    }
    return out;
  }

  async create(clientId: string, scopes: readonly string[]): Promise<{ owned: OwnedClient; credentials: Credentials }> {
    const { registration_endpoint } = await this.discover();
    const answer = await this.call('register', clientId, registration_endpoint, 'POST', this.initialAccessToken, {
      client_name: clientId,
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      ...allowed(scopes),
    });
    const body = answer as Record<string, unknown>;
    const remoteId = stringField(body, 'client_id');
    const state: RegistrationState = { token: stringField(body, 'registration_access_token'), uri: stringField(body, 'registration_client_uri') };
    return {
      owned: { clientId, remoteId, state: JSON.stringify(state) },
      credentials: { clientId: remoteId, clientSecret: stringField(body, 'client_secret') },
    };
  }

  async adopt(clientId: string, reference: Readonly<Record<string, unknown>>): Promise<{ owned: OwnedClient; remote: RemoteClient }> {
    const extra = Object.keys(reference).filter(field => !ADOPT_FIELDS.includes(field));
    if (extra.length > 0) throw new DownstreamError('invalid', `an rfc7592 client is adopted with ${ADOPT_FIELDS.join(' and ')} only: leave out ${extra.map(f => `'${f}'`).join(', ')}`);
    const [uri, token] = ADOPT_FIELDS.map(field => {
      const value = reference[field];
      if (typeof value !== 'string' || value === '' || value.length > REFERENCE_MAX_LENGTH) {
        throw new DownstreamError('invalid', `'${field}' must be the client's RFC 7592 ${field === 'registrationClientUri' ? 'registration_client_uri' : 'registration_access_token'}, a non-empty string of at most ${REFERENCE_MAX_LENGTH} characters`);
      }
      return value;
    });
    const { registration_endpoint } = await this.discover();
    let origin: string;
    try {
      origin = new URL(uri).origin;
    } catch {
      throw new DownstreamError('invalid', `'registrationClientUri' is not a URL`);
    }
    if (origin !== new URL(registration_endpoint).origin) {
      throw new DownstreamError('invalid', `'registrationClientUri' must be on the downstream's registration endpoint origin ${new URL(registration_endpoint).origin}: its access token is sent nowhere else`);
    }
    const owned: OwnedClient = { clientId, remoteId: '', state: JSON.stringify({ token, uri } satisfies RegistrationState) };
    const registration = await this.read(owned);
    if (!registration) throw new DownstreamError('refused', `${this.where()}: no registration at that registrationClientUri answers to that registrationAccessToken: nothing to adopt`);
    const remote = remoteClient(clientId, registration);
    return { owned: { ...owned, remoteId: remote.remoteId }, remote };
  }

  async setScopes(owned: OwnedClient, scopes: readonly string[]): Promise<OwnedClient> {
    const current = await this.read(owned);
    if (!current) throw new DownstreamError('refused', `${this.where()}: client '${owned.clientId}' (${owned.remoteId}) is gone from the downstream`);
    const { token, uri } = parseState(owned);
    const body = { ...withoutServerFields(current), ...allowed(scopes) };
    const answer = (await this.call('update', owned.clientId, uri, 'PUT', token, body)) as Record<string, unknown>;
    // A server that rotates the registration access token on update answers the new one (RFC 7592 section 2.2).
    const rotated = typeof answer.registration_access_token === 'string' ? answer.registration_access_token : token;
    return { ...owned, state: JSON.stringify({ token: rotated, uri } satisfies RegistrationState) };
  }

  async delete(owned: OwnedClient): Promise<void> {
    const { token, uri } = parseState(owned);
    await this.call('delete', owned.clientId, uri, 'DELETE', token, undefined, [401, 404]);
  }

  async ensureScopes(): Promise<void> {}

  /** The registration as the server holds it; null when the client is gone (401 or 404: its token died with it). */
  private async read(owned: OwnedClient): Promise<Record<string, unknown> | null> {
    const { token, uri } = parseState(owned);
    const body = await this.call('read', owned.clientId, uri, 'GET', token, undefined, [401, 404]);
    return body === null ? null : (body as Record<string, unknown>);
  }

  private async discover(): Promise<Metadata> {
    if (this.metadata) return this.metadata;
    const url = new URL('.well-known/oauth-authorization-server', withSlash(this.config.issuer)).toString();
    const body = (await this.call('discover', null, url, 'GET', null, undefined)) as Record<string, unknown>;
    const registration = body.registration_endpoint;
    if (typeof registration !== 'string') {
      throw new DownstreamError('refused', `${this.where()}: its metadata at ${url} has no registration_endpoint: turn on RFC 7591 dynamic client registration there`);
    }
    this.metadata = { registration_endpoint: registration, token_endpoint: stringField(body, 'token_endpoint') };
    return this.metadata;
  }

  /**
   * One request; answers the parsed JSON body, or null for a 204 or a status in `gone`. Never puts a token or a
   * response body in an error: both may carry secrets.
   */
  private async call(what: string, clientId: string | null, url: string, method: string, bearer: string | null, body: unknown, gone: number[] = []): Promise<unknown> {
    const subject = clientId === null ? '' : ` client '${clientId}'`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new DownstreamError('unreachable', `${this.where()}: could not ${what}${subject}: ${(cause as Error).message}`);
    }
    if (gone.includes(response.status)) return null;
    if (response.status === 204) return null;
    const text = await response.text();
    if (!response.ok) {
      throw new DownstreamError('refused', `${this.where()}: ${what}${subject} answered ${response.status}${oauthError(text)}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new DownstreamError('refused', `${this.where()}: ${what}${subject} answered ${response.status} with a body that is not JSON`);
    }
  }

  private where(): string {
    return `rfc7592 downstream ${this.config.issuer}`;
  }
}

function allowed(scopes: readonly string[]): { grant_types: string[]; scope: string } {
  return scopes.length === 0 ? { grant_types: [], scope: DISABLED_SCOPE } : { grant_types: [GRANT_TYPE], scope: [...scopes].sort().join(' ') };
}

function remoteClient(clientId: string, registration: Record<string, unknown>): RemoteClient {
  const grantTypes = Array.isArray(registration.grant_types) ? registration.grant_types : [];
  const enabled = grantTypes.includes(GRANT_TYPE);
  const scope = typeof registration.scope === 'string' ? registration.scope : '';
  return {
    clientId,
    remoteId: String(registration.client_id),
    enabled,
    // A registration without scope may receive every scope: read back as the one scope nobody grants, so that it
    // differs from any allowed set and counts as drift.
    scopes: !enabled ? [] : scope === '' ? ['*'] : scope.split(' ').filter(Boolean).sort(),
  };
}

/** RFC 7592 section 2.2: the update must not carry these; the server answers them on a read. */
const SERVER_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];

function withoutServerFields(registration: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(registration).filter(([field]) => !SERVER_FIELDS.includes(field)));
}

function parseState(owned: OwnedClient): RegistrationState {
  return JSON.parse(owned.state) as RegistrationState;
}

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new DownstreamError('refused', `the downstream's answer has no ${field}`);
  return value;
}

/** The standard OAuth error code and description, bounded: enough to act on, never a whole body. */
function oauthError(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const parts = [body.error, body.error_description].filter(v => typeof v === 'string').map(v => (v as string).slice(0, 200));
    return parts.length > 0 ? ` (${parts.join(': ')})` : '';
  } catch {
    return '';
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
