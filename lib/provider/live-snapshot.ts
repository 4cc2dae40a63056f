/**
 * The live configuration as one provider process sees it. Terraform starts a
 * provider process per phase and asks it to read every resource in turn (ten
 * at a time); fetching the whole configuration once (`GET snapshot`) and
 * answering every read from it keeps the number of requests a no-change plan
 * costs constant, whatever the number of resources. Writes made through this
 * process patch the copy in place, so later reads see them without a refetch.
 */
import { AdminClient } from '../client/admin-client';
import { DownstreamOutOfSync } from '../model/admin-api';
import { Manager, ManagerIndex } from '../model/ownership';
import { Kind, KindObject, keyOf, Snapshot } from '../model/types';

type Index = {
  objects: { [K in Kind]: Map<string, KindObject[K]> };
  managers: ManagerIndex;
  /** With a downstream: its kind and the clients it does not hold as the model wants. */
  downstream: { kind: string; outOfSync: Map<string, DownstreamOutOfSync> } | null;
};

export class LiveSnapshot {
  private loading: Promise<Index> | null = null;

  constructor(private readonly client: AdminClient) {}

  async find<K extends Kind>(kind: K, key: string): Promise<KindObject[K] | undefined> {
    return (await this.index()).objects[kind].get(key);
  }

  /** The object's manager (the Terraform resource that manages it), or null when it has none or is absent. */
  async managerOf(kind: Kind, key: string): Promise<Manager | null> {
    return (await this.index()).managers[kind][key] ?? null;
  }

  /** Where the server's downstream differs from what the model allows this client now; null when it does not (or there is none). */
  async downstreamDrift(clientId: string): Promise<{ kind: string; entry: DownstreamOutOfSync } | null> {
    const { downstream } = await this.index();
    const entry = downstream?.outOfSync.get(clientId);
    return entry ? { kind: downstream!.kind, entry } : null;
  }

  /** Everything, as the model's effective-scopes function wants it. */
  async model(): Promise<Omit<Snapshot, 'revision'>> {
    const index = await this.index();
    return {
      scopes: [...index.objects.scopes.values()],
      roles: [...index.objects.roles.values()],
      clients: [...index.objects.clients.values()],
      roleBindings: [...index.objects['role-bindings'].values()],
    };
  }

  /**
   * Records an object this process has just written, and its manager when the write set one (a no-op until the
   * snapshot is loaded: the load will include it).
   */
  remember<K extends Kind>(kind: K, object: KindObject[K], manager?: Manager): void {
    void this.loading?.then(index => {
      index.objects[kind].set(keyOf(kind, object), object);
      if (manager) (index.managers[kind] as Record<string, Manager>)[keyOf(kind, object)] = manager;
    }, () => undefined);
  }

  forget(kind: Kind, key: string): void {
    void this.loading?.then(index => {
      index.objects[kind].delete(key);
      delete (index.managers[kind] as Record<string, Manager>)[key];
    }, () => undefined);
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
    objects: {
      scopes: byKey('scopes', snapshot.scopes),
      roles: byKey('roles', snapshot.roles),
      clients: byKey('clients', snapshot.clients),
      'role-bindings': byKey('role-bindings', snapshot.roleBindings),
    },
    // A server from before ownership answers no managers: nothing is managed.
    managers: snapshot.managers ?? { scopes: {}, roles: {}, clients: {}, 'role-bindings': {} },
    downstream: snapshot.downstream ? { kind: snapshot.downstream.kind, outOfSync: new Map(snapshot.downstream.outOfSync.map(e => [e.clientId, e])) } : null,
  };
}

function byKey<K extends Kind>(kind: K, objects: KindObject[K][]): Map<string, KindObject[K]> {
  return new Map(objects.map(o => [keyOf(kind, o), o]));
}
