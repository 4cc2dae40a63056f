/**
 * The live configuration as one provider process sees it. Terraform starts a
 * provider process per phase and asks it to read every resource in turn (ten
 * at a time); fetching the whole configuration once (`GET snapshot`) and
 * answering every read from it keeps the number of requests a no-change plan
 * costs constant, whatever the number of resources. Writes made through this
 * process patch the copy in place, so later reads see them without a refetch.
 */
import { AdminClient } from '../client/admin-client';
import { Kind, KindObject, keyOf, Snapshot } from '../model/types';

type Index = { [K in Kind]: Map<string, KindObject[K]> };

export class LiveSnapshot {
  private loading: Promise<Index> | null = null;

  constructor(private readonly client: AdminClient) {}

  async find<K extends Kind>(kind: K, key: string): Promise<KindObject[K] | undefined> {
    return (await this.index())[kind].get(key);
  }

  /** Everything, as the model's effective-scopes function wants it. */
  async model(): Promise<Omit<Snapshot, 'revision'>> {
    const index = await this.index();
    return {
      scopes: [...index.scopes.values()],
      roles: [...index.roles.values()],
      clients: [...index.clients.values()],
      roleBindings: [...index['role-bindings'].values()],
    };
  }

  /** Records an object this process has just written (a no-op until the snapshot is loaded: the load will include it). */
  remember<K extends Kind>(kind: K, object: KindObject[K]): void {
    void this.loading?.then(index => index[kind].set(keyOf(kind, object), object), () => undefined);
  }

  forget(kind: Kind, key: string): void {
    void this.loading?.then(index => index[kind].delete(key), () => undefined);
  }

  private index(): Promise<Index> {
    // Concurrent reads share one request. A failure (after the client's own retries) is kept: every read of
    // this phase reports it at once instead of each waiting out another round of backoff.
    this.loading ??= this.client.snapshot().then(toIndex);
    return this.loading;
  }
}

function toIndex(snapshot: Snapshot): Index {
  return {
    scopes: byKey('scopes', snapshot.scopes),
    roles: byKey('roles', snapshot.roles),
    clients: byKey('clients', snapshot.clients),
    'role-bindings': byKey('role-bindings', snapshot.roleBindings),
  };
}

function byKey<K extends Kind>(kind: K, objects: KindObject[K][]): Map<string, KindObject[K]> {
  return new Map(objects.map(o => [keyOf(kind, o), o]));
}
