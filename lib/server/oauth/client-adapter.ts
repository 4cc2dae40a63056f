/**
 * oidc-provider's storage adapter. Clients come from our store (through the
 * token endpoint's reads, token-reads.ts), so that the admin API is the only
 * place they are managed and a deleted client cannot authenticate a moment
 * later. Their `client_secret` metadata is the stored hash (secrets.ts);
 * `compareClientSecret` is replaced to verify against it (see provider.ts).
 * A client with public keys authenticates with private_key_jwt against them
 * and has no secret. Every other model oidc-provider may keep (sessions,
 * interactions: unused by the client-credentials grant) lives in memory.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { clientAuthentication } from '../../model/types';
import { TokenReads } from './token-reads';

/** `request` answers the request being handled (oidc-provider's context), whose reads the lookup joins. */
export function adapterFactory(reads: TokenReads, request: () => object | undefined): (model: string) => Adapter {
  return model => (model === 'Client' ? new StoreClientAdapter(reads, request) : new MemoryAdapter());
}

class StoreClientAdapter implements Adapter {
  constructor(
    private readonly reads: TokenReads,
    private readonly request: () => object | undefined,
  ) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const facts = await this.reads.client(this.request(), id);
    if (!facts) return undefined;
    const { client, secretHash } = facts;
    const common = {
      client_id: client.clientId,
      client_name: client.displayName,
      // Only client credentials is served; the grant handler refuses a client whose model lacks it.
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    };
    if (clientAuthentication(client) === 'private_key_jwt') {
      // RFC 7523: oidc-provider checks the assertion's signature against these keys, its iss, sub, aud, exp and jti.
      return { ...common, token_endpoint_auth_method: 'private_key_jwt', ...(client.jwks ? { jwks: client.jwks } : { jwks_uri: client.jwksUri }) };
    }
    if (!secretHash) return undefined;
    // oidc-provider accepts client_secret_post as well for a client registered with basic.
    return { ...common, client_secret: secretHash, token_endpoint_auth_method: 'client_secret_basic' };
  }

  async upsert(): Promise<void> {
    throw new Error('clients are managed through the admin API only');
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

const SWEEP_EVERY_WRITES = 1_000;

class MemoryAdapter implements Adapter {
  private readonly entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();

  private writes = 0;

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.entries.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
    // Entries are short-lived (client assertion jtis: ASSERTION_MAX_SECONDS) but read back only on a replay: sweep
    // the expired ones now and then, so memory follows the request rate, not the request count.
    if (++this.writes % SWEEP_EVERY_WRITES === 0) {
      const now = Date.now();
      for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt <= Date.now()) this.entries.delete(id);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return [...this.entries.values()].find(e => e.payload.uid === uid)?.payload;
  }
  async consume(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    this.entries.delete(id);
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, entry] of this.entries) if (entry.payload.grantId === grantId) this.entries.delete(id);
  }
}
