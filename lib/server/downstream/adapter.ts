/**
 * A downstream adapter: what the control plane needs from a team's own
 * authorization server (docs/downstreams.md). It is small on purpose (list,
 * create, set allowed scopes, delete, read back; scope objects only where
 * the server has a registry) and it never decides what a client may hold:
 * the sync engine (sync.ts) computes each client's effective allowed scope
 * set and tells the adapter; the adapter only translates.
 *
 * The servers differ, and the differences stay in here:
 * - who names a client: a server that assigns ids and secrets (RFC 7591) answers
 *   its own in `Credentials`; one that takes ours uses `clientId` and the
 *   candidate secret it is given. The control plane stores `remoteId` and
 *   `state` either way and delivers whatever `Credentials` say.
 * - what must be kept to manage a client later (an RFC 7592 registration access
 *   token, say) is `state`: an opaque string the control plane keeps as a
 *   secret, like a client secret (never logged, audited or answered).
 * - a scope registry: `ensureScopes` creates missing scope objects where the
 *   server has global ones, and does nothing where it has none.
 * - narrowing or rejecting a token request for a scope the client lacks is the
 *   server's own behaviour: nothing here depends on it (verify and the tests
 *   read the scopes a token really carries).
 *
 * Every method fails by throwing `DownstreamError` with a message naming the
 * server and what failed; the sync engine keeps the intent and retries.
 */

/** One client as the downstream holds it now. */
export interface RemoteClient {
  /** The model's client id (the control plane's key). */
  clientId: string;
  /** The id the downstream knows the client by. */
  remoteId: string;
  /** Whether the downstream issues tokens to it at all. */
  enabled: boolean;
  /** The scopes the downstream lets it receive, sorted; empty when disabled. */
  scopes: string[];
}

/** What the control plane keeps per client it created or adopted downstream (its ownership record). */
export interface OwnedClient {
  clientId: string;
  remoteId: string;
  /** Adapter-private, secret: what it needs to manage the client (e.g. a registration access token). */
  state: string;
}

/** The credentials a client uses at the downstream's token endpoint: delivered once, like a client secret. */
export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export interface ScopeObject {
  name: string;
  description: string;
}

export interface DownstreamAdapter {
  /** `rfc7592`, `glewlwyd`: the `kind` of the downstream file. */
  readonly kind: string;
  /** Where clients ask for tokens (for `verify` and the tests). */
  tokenEndpoint(): Promise<string>;
  /**
   * Reads back the owned clients: one entry per client the downstream still has, none for one that is gone.
   * A server with a list endpoint lists once and keeps only `owned`; one without reads each.
   */
  list(owned: readonly OwnedClient[]): Promise<RemoteClient[]>;
  /**
   * Creates a client allowed exactly `scopes` (never empty: a client allowed nothing is created disabled).
   * `candidateSecret` is used where the server takes ours. Refuses (DownstreamError `conflict`) a client id the
   * server already holds: the control plane never takes over what it did not create.
   */
  create(clientId: string, scopes: readonly string[], candidateSecret: string): Promise<{ owned: OwnedClient; credentials: Credentials }>;
  /**
   * Makes the client allowed exactly `scopes`, enabled; with no scopes, disables it (a client is never given an
   * empty or missing scope list, which some servers read as "every scope"). Answers the ownership record, changed
   * when the server rotated what `state` holds.
   */
  setScopes(owned: OwnedClient, scopes: readonly string[]): Promise<OwnedClient>;
  /**
   * Reads a client someone else made on the downstream, named by `reference` (what this kind needs to find and
   * manage it: nothing more than the model's client id where the server takes our ids; the registration URI and
   * access token where it assigns its own), so that the control plane can record it as its own (an explicit
   * import). Changes nothing there. Throws DownstreamError `invalid` for a reference of the wrong shape, `refused`
   * when the downstream has no such client.
   */
  adopt(clientId: string, reference: Readonly<Record<string, unknown>>): Promise<{ owned: OwnedClient; remote: RemoteClient }>;
  /** Removes the client; a client already gone is not an error. */
  delete(owned: OwnedClient): Promise<void>;
  /** Creates the scope objects the server lacks, where it has a registry; never changes or deletes one. */
  ensureScopes(scopes: readonly ScopeObject[]): Promise<void>;
}

/**
 * Why a downstream call failed: `unreachable` and `refused` are retried; `conflict` (a client id the downstream
 * holds and the control plane does not own) needs a person; `invalid` is a caller's mistake (an adoption reference).
 */
export class DownstreamError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'refused' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'DownstreamError';
  }
}
