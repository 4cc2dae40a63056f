/**
 * What the server keeps, behind small interfaces so that the admin actions and
 * the OAuth glue never speak SQL. One database implements all of them
 * (sql-store.ts, on SQLite or PostgreSQL); `transaction` is what makes an admin write and its audit
 * entry land together or not at all.
 *
 * Every method answers a Promise, so that a store on a networked database
 * (PostgreSQL's `pg` client is asynchronous) fits the same contract. Inside
 * `transaction(async tx => ...)` everything goes through `tx`: on PostgreSQL a
 * transaction is bound to one pooled connection, and on SQLite the store
 * itself waits for the transaction to end, so calling it (rather than `tx`)
 * from inside the callback never returns.
 */
import { Kind, KindObject, RoleBinding, Scope, Snapshot } from '../../model/types';
import { EffectiveScopeInput } from '../../model/effective-scopes';
import { AdminRole, AdminTokenInfo, AuditEntry, AuditQuery, RefusalCount, RefusalTotal, UsageEntry } from '../../model/admin-api';
import { Manager, ManagerIndex } from '../../model/ownership';
import { OwnedClient } from '../downstream/adapter';

export interface StoredObject<K extends Kind> {
  value: KindObject[K];
  /** The store revision of the object's last change; answered as its ETag. */
  version: number;
}

export interface ListOptions {
  limit: number;
  /** Keyset cursor: only keys sorted after this one. */
  after?: string;
}

/** The model objects and the revision that counts their changes. */
export interface ObjectStore {
  get<K extends Kind>(kind: K, key: string): Promise<StoredObject<K> | null>;
  list<K extends Kind>(kind: K, options: ListOptions): Promise<StoredObject<K>[]>;
  /** Writes the object and bumps the revision; answers the new version. */
  put<K extends Kind>(kind: K, key: string, value: KindObject[K]): Promise<number>;
  delete(kind: Kind, key: string): Promise<boolean>;
  revision(): Promise<number>;
  snapshot(): Promise<Snapshot>;
  /** Keys of `holderKind` objects whose `field` names `key` (e.g. roles whose scopes hold a scope). */
  holdersOf(holderKind: Kind, field: HolderField, key: string): Promise<string[]>;
  /** Just what `effectiveScopes` needs to answer for one client, without reading every binding; whole scopes, for the token gate's policy. */
  effectiveScopeInput(clientId: string): Promise<EffectiveScopeInput & { scopes: readonly Scope[] }>;
}

/**
 * What the token endpoint reads on every grant (objects, client secrets, the policy) changes rarely: one
 * read of this version tells whether what it kept still holds (oauth/token-reads.ts), on one instance or
 * several sharing a database. It changes with every object write, secret change and policy document.
 */
export interface TokenInputsVersion {
  tokenInputsVersion(): Promise<string>;
}

/** JSON paths that hold references, per holder kind. */
export type HolderField = 'scopes' | 'implies' | 'role' | 'subjects';

/** Hashed client secrets; the plain secret never reaches the store. */
export interface ClientSecretHashes {
  secretHash(clientId: string): Promise<string | null>;
  setSecretHash(clientId: string, hash: string): Promise<void>;
  deleteSecretHash(clientId: string): Promise<void>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Append-only: nothing updates or deletes an entry. */
export interface AuditLog {
  appendAudit(entry: NewAuditEntry): Promise<void>;
  /**
   * Entries in id order; `after` is an entry id. At most `limit` entries and, past the first, no more than
   * `maxBytes` of stored text: a page of large entries ends early. `more` says whether entries follow.
   */
  queryAudit(query: Omit<AuditQuery, 'limit'> & { limit: number; maxBytes: number }): Promise<{ entries: AuditEntry[]; more: boolean }>;
  usage(clientId?: string): Promise<UsageEntry[]>;
}

/** What a batch of token grants leaves behind (see oauth/grant-batch.ts): their audit entries and the usage they fold into. */
export interface GrantBatch {
  audit: readonly NewAuditEntry[];
  /** One entry per client and scope: the latest use in the batch. */
  usage: readonly UsageEntry[];
}

/** Group commit of token grants: many grants, one transaction, one fsync. */
export interface GrantBatchStore {
  /** Appends the entries and moves each usage forward (never back), all in one transaction; durable once resolved. */
  commitGrants(batch: GrantBatch): Promise<void>;
}

/** Keys the server makes for itself, kept in the store so that every instance on one database uses the same ones. */
export interface ServerKeyStore {
  /** The key named `name`: the stored one, or `candidate` stored now when there is none (racing instances all get the winner's). */
  serverKey(name: string, candidate: string): Promise<string>;
}

/** Upgrades a client's stored secret hash to a newer scheme on use (see secrets.ts). */
export interface SecretHashUpgrades {
  /** Replaces the hash only if it is still `from` (a rotation in between wins); answers whether it did. */
  upgradeSecretHash(clientId: string, from: string, to: string): Promise<boolean>;
}

/**
 * The policy the server enforces: which environment its data belongs to (fixed
 * at first start, so a restart with another `--environment` cannot quietly
 * swap the rules) and the policy document stored through the admin API; a
 * null document means the recommended preset of the environment.
 */
export interface PolicyStore {
  policyRecord(): Promise<PolicyRecord | null>;
  /** Records the environment at first start; a no-op when one is recorded. */
  initPolicy(environment: string): Promise<void>;
  /** Stores a new document (a new version); null: back to the environment's preset (also a new version). The environment stays. */
  setPolicyDocument(document: unknown | null): Promise<number>;
}

/** Reads of server admission (lib/server/admission): what a change reaches, one query whatever its size. */
export interface AdmissionReads {
  /** The role bindings that name any of `clientIds` as a subject, whole. */
  bindingsNamingAny(clientIds: readonly string[]): Promise<RoleBinding[]>;
}

export interface PolicyRecord {
  environment: string;
  document: unknown | null;
  /** Bumped by every stored document; answered as the policy's ETag. */
  version: number;
}


/** An admin token as stored: its hash, never the token. */
export interface StoredAdminToken extends AdminTokenInfo {
  hash: string;
}

/** Named admin tokens with roles (admin-tokens.ts hashes and checks them). */
export interface AdminTokenStore {
  /** Tokens not revoked, for authentication. */
  activeAdminTokens(): Promise<StoredAdminToken[]>;
  /** Every token, revoked ones included (their names stay taken: the audit log names them). */
  allAdminTokens(): Promise<StoredAdminToken[]>;
  adminToken(name: string): Promise<StoredAdminToken | null>;
  insertAdminToken(token: StoredAdminToken): Promise<void>;
  /** Replaces a token's hash and role and clears its revocation (the bootstrap token, when its configured value changes). */
  replaceAdminToken(name: string, hash: string, role: AdminRole, at: string): Promise<void>;
  /** Marks the token revoked; false when there is no such active token. */
  revokeAdminToken(name: string, at: string): Promise<boolean>;
}

/** Which Terraform resource manages each object (see lib/model/ownership.ts); deleting an object forgets its manager. */
export interface OwnershipStore {
  managerOf(kind: Kind, key: string): Promise<Manager | null>;
  /** Sets (or with null clears) the manager of an existing object; does not bump the revision. */
  setManager(kind: Kind, key: string, manager: Manager | null): Promise<void>;
  managers(): Promise<ManagerIndex>;
}

/**
 * A signing key as stored: its private JWK and the times that decide its part (lib/server/signing-keys.ts). Every
 * instance derives the same state from these times, so activation and removal need no write when they come due.
 */
export interface StoredSigningKey {
  kid: string;
  /** The private JWK (EC P-256, ES256). */
  privateJwk: Record<string, unknown>;
  createdAt: string;
  /** From this moment the key signs (the latest activated key signs); before it, it is only published. */
  activatesAt: string;
  /** From this moment the key leaves the JWKS; null while it may still sign. */
  removeAt: string | null;
}

/** The token signing keys, shared by every server instance on the store. */
export interface SigningKeyStore {
  /** Every key and the version of the set (0 before the first key). */
  signingKeySet(): Promise<{ version: number; keys: StoredSigningKey[] }>;
  /** Just the version: what instances poll to notice another's rotation. */
  signingKeySetVersion(): Promise<number>;
  /**
   * Replaces the whole set when its version is still `expectedVersion` (compare and set: two instances rotating
   * at once cannot both win); answers the new version, or null when another writer came first.
   */
  replaceSigningKeySet(expectedVersion: number, keys: readonly StoredSigningKey[]): Promise<number | null>;
}

/**
 * Refused token and introspection requests, counted per minute, endpoint, client, source and reason
 * (refusal-counter.ts): what a flood of failed requests leaves is bounded by its minutes, never by its
 * requests. Written in batches; several server instances may add to the same rows.
 */
export interface RefusalCounterStore {
  /** Adds each row's count to the stored count of the same minute, endpoint, client, source and reason. */
  addRefusals(rows: readonly RefusalCount[]): Promise<void>;
  /** Rows in key order (minute, endpoint, client, source, reason), after `after` when given. */
  refusals(query: { since?: string; clientId?: string; after?: RefusalKey; limit: number }): Promise<RefusalCount[]>;
  /** The rows of minutes at or after `since`, summed per client, endpoint and reason (addresses left out), in that order. */
  refusalTotals(since: string): Promise<RefusalTotal[]>;
  /** Removes the rows of minutes before `before`; answers how many went. */
  pruneRefusals(before: string): Promise<number>;
}

export type RefusalKey = Omit<RefusalCount, 'count'>;

/** Keeps the audit log bounded (retention.ts): by age and by number of entries. */
export interface AuditRetentionStore {
  /** Removes entries older than `before`, then the oldest beyond the newest `keepAtMost`; answers how many went. */
  pruneAudit(before: string, keepAtMost: number): Promise<number>;
}

/**
 * The clients the control plane created (or adopted) on a downstream server (lib/server/downstream): its
 * ownership record, per downstream (kind and address), with what the adapter keeps to manage each one. `state`
 * is a secret (an RFC 7592 registration access token): never logged, audited or answered.
 */
export interface DownstreamClientStore {
  downstreamClients(downstream: string): Promise<DownstreamRecord[]>;
  putDownstreamClient(downstream: string, client: DownstreamRecord): Promise<void>;
  deleteDownstreamClient(downstream: string, clientId: string): Promise<void>;
}

export interface DownstreamRecord extends OwnedClient {
  /** The scopes the downstream held after the control plane's last change ([]: disabled): drift is a difference from it. */
  pushed: string[];
}

export interface Store
  extends ObjectStore,
    DownstreamClientStore,
    ClientSecretHashes,
    AuditLog,
    PolicyStore,
    AdmissionReads,
    AdminTokenStore,
    OwnershipStore,
    GrantBatchStore,
    ServerKeyStore,
    SecretHashUpgrades,
    SigningKeyStore,
    RefusalCounterStore,
    AuditRetentionStore,
    TokenInputsVersion {
  /**
   * Runs `fn` in one transaction: everything it writes through `tx` lands together or not at all (a throw
   * or rejection rolls back), and no other request sees it before. Use only `tx` inside `fn` (see the header).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while no other server instance on this store runs one for the same downstream (its sync passes and
   * adoptions), so that two instances never push, or audit the same drift, at once. PostgreSQL: a session advisory
   * lock on a connection of its own, released with it if the instance dies. SQLite: one process has the file.
   */
  exclusiveDownstream<T>(downstream: string, fn: () => Promise<T>): Promise<T>;
  /** Waits for the transaction in progress, if any, then closes. */
  close(): Promise<void>;
}

/** What a transaction reads and writes with: the whole store but `transaction` and `close`. */
export type StoreTransaction = Omit<Store, 'transaction' | 'close' | 'exclusiveDownstream'>;
