/**
 * What the token endpoint reads on every grant: the client, its secret's
 * hash, what its effective scopes are computed from, and the policy in force.
 * All of it changes rarely, so it is kept per store version
 * (`tokenInputsVersion`: every object write, secret change and policy document
 * moves it), and that version is read once per request, whoever asks (the
 * request guard, client authentication, the grant, introspection): one
 * read a token instead of seven. On several instances sharing a database the version is
 * the database's, so a change made through one is seen by the others' next
 * request. A client deleted or rotated a moment ago is refused: its request
 * reads the version after the change was acknowledged.
 */
import { EffectiveScopeInput } from '../../model/effective-scopes';
import { LIMITS } from '../../model/schemas';
import { Client, Scope } from '../../model/types';
import { PolicyHolder, ServerPolicy } from '../admission/server-policy';
import { ClientSecretHashes, ObjectStore, PolicyStore, TokenInputsVersion } from '../store/store';

export interface ClientFacts {
  client: Client;
  /** The stored hash of its secret; null for a client that authenticates with private_key_jwt. */
  secretHash: string | null;
  input: EffectiveScopeInput & { scopes: readonly Scope[] };
}

/** Clients kept at most; past it the cache starts over (a bound on memory, whatever the traffic). */
const MAX_CLIENTS = 10_000;

type Reader = Pick<ObjectStore, 'get' | 'effectiveScopeInput'> & Pick<ClientSecretHashes, 'secretHash'> & Pick<PolicyStore, 'policyRecord'> & TokenInputsVersion;

export class TokenReads {
  private version: string | null = null;
  private readonly kept = new Map<string, Promise<ClientFacts | null>>();
  private policy: Promise<ServerPolicy> | null = null;
  /** The version each request read: one read however many steps of the request ask. */
  private readonly requests = new WeakMap<object, Promise<string>>();

  constructor(
    private readonly store: Reader,
    private readonly holder: PolicyHolder,
  ) {}

  /** `alias` (the same request, handed on as another object) reads with the version `request` read. */
  share(request: object, alias: object): void {
    const version = this.requests.get(request);
    if (version) this.requests.set(alias, version);
  }

  /** The client and what its grant is decided from, as of the request's version; null for no such client. */
  async client(request: object | undefined, clientId: string): Promise<ClientFacts | null> {
    // Longer than any client id the model accepts: not worth a read, nor a place in memory.
    if (clientId.length > LIMITS.clientIdMaxLength) return null;
    await this.at(request);
    let facts = this.kept.get(clientId);
    if (!facts) {
      if (this.kept.size >= MAX_CLIENTS) this.kept.clear();
      const read = this.readClient(clientId);
      this.kept.set(clientId, read);
      // A failed read (the database away) is not kept: the next request tries again.
      read.catch(() => this.kept.get(clientId) === read && this.kept.delete(clientId));
      facts = read;
    }
    return facts;
  }

  /** The policy in force as of the request's version. */
  async current(request: object | undefined): Promise<ServerPolicy> {
    await this.at(request);
    if (!this.policy) {
      const read = this.holder.current(this.store);
      this.policy = read;
      read.catch(() => this.policy === read && (this.policy = null));
    }
    return this.policy;
  }

  /** Brings the kept reads to the request's version; what was kept for another version goes. */
  private async at(request: object | undefined): Promise<void> {
    let version = request && this.requests.get(request);
    if (!version) {
      version = this.store.tokenInputsVersion();
      if (request) this.requests.set(request, version);
    }
    const current = await version;
    if (current !== this.version) {
      // Kept reads start after the version was read, so they are never older than it (maybe newer: harmless,
      // the next request reads the newer version and starts over).
      this.kept.clear();
      this.policy = null;
      this.version = current;
    }
  }

  private async readClient(clientId: string): Promise<ClientFacts | null> {
    const client = (await this.store.get('clients', clientId))?.value;
    if (!client) return null;
    const [secretHash, input] = await Promise.all([this.store.secretHash(clientId), this.store.effectiveScopeInput(clientId)]);
    return { client, secretHash, input };
  }
}
