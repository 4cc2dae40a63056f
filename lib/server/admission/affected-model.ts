/**
 * The part of the model a set of changes can affect, read from the store as
 * it is (before) and as it would be once the changes are applied (after),
 * without writing anything.
 *
 * Why not the whole model: the rules judge clients through what they hold, so
 * a write can only change the findings about the clients it reaches (a client
 * written, the subjects of a binding written, the holders of a role or scope
 * written) and about the objects written themselves. Reading just those keeps
 * a write to a 1,000-client store near the cost of a write to a small one
 * (measured in docs/performance.md, "Server admission"); a scope held by every client still
 * reads every client, which is what such a change affects.
 */
import { Client, Kind, KindObject, Role, RoleBinding, Scope } from '../../model/types';
import { AdmissionReads, ObjectStore } from '../store/store';

/** What admission reads. */
export type AdmissionStore = Pick<ObjectStore, 'get' | 'list' | 'holdersOf'> & AdmissionReads;

/** One object created, replaced (value) or deleted (value null). */
export interface Change<K extends Kind = Kind> {
  kind: K;
  key: string;
  value: KindObject[K] | null;
}

/** The model objects the rules look at, the way a snapshot holds them. */
export interface ModelPart {
  scopes: Scope[];
  roles: Role[];
  clients: Client[];
  roleBindings: RoleBinding[];
}

export interface AffectedModel {
  before: ModelPart;
  after: ModelPart;
  /** The clients whose holdings the changes can change. */
  clientIds: ReadonlySet<string>;
}

export async function affectedModel(store: AdmissionStore, changes: readonly Change[]): Promise<AffectedModel> {
  // Both readers ask the store the same questions: each is asked once.
  const shared = memoized(store);
  const before = new ModelReader(shared, []);
  const after = new ModelReader(shared, changes);
  const clientIds = new Set<string>();
  for (const change of changes) {
    for (const reader of [before, after]) (await reader.clientsReachedBy(change.kind, change.key)).forEach(id => clientIds.add(id));
  }
  return { before: await before.part(clientIds, changes), after: await after.part(clientIds, changes), clientIds };
}

/** The store seen through a set of pending changes. */
export class ModelReader {
  private readonly pending = new Map<string, KindObject[Kind] | null>();

  constructor(
    private readonly store: AdmissionStore,
    changes: readonly Change[],
  ) {
    for (const change of changes) this.pending.set(slot(change.kind, change.key), change.value);
  }

  async get<K extends Kind>(kind: K, key: string): Promise<KindObject[K] | null> {
    const id = slot(kind, key);
    if (this.pending.has(id)) return this.pending.get(id) as KindObject[K] | null;
    return (await this.store.get(kind, key))?.value ?? null;
  }

  /** Keys of `holderKind` objects that name `key` through `field`, pending changes included. */
  private async holders<K extends Kind>(
    holderKind: K,
    field: 'scopes' | 'implies' | 'role' | 'subjects',
    key: string,
    names: (o: KindObject[K]) => boolean,
  ): Promise<string[]> {
    const keys = new Set(await this.store.holdersOf(holderKind, field, key));
    for (const [id, value] of this.pending) {
      const [kind, pendingKey] = unslot(id);
      if (kind !== holderKind) continue;
      if (value !== null && names(value as KindObject[K])) keys.add(pendingKey);
      else keys.delete(pendingKey);
    }
    const found = await Promise.all([...keys].map(k => this.get(holderKind, k)));
    return [...keys].filter((_, i) => found[i] !== null);
  }

  /** The bindings naming any of the clients, pending changes included. */
  private async bindingsNaming(clientIds: ReadonlySet<string>): Promise<RoleBinding[]> {
    const names = (b: RoleBinding) => b.subjects.some(s => clientIds.has(s.clientId));
    const found = new Map((await this.store.bindingsNamingAny([...clientIds])).map(b => [b.name, b]));
    for (const [id, value] of this.pending) {
      const [kind, key] = unslot(id);
      if (kind !== 'role-bindings') continue;
      if (value !== null && names(value as RoleBinding)) found.set(key, value as RoleBinding);
      else found.delete(key);
    }
    return [...found.values()];
  }

  private async subjectsOfRole(role: string): Promise<string[]> {
    const names = await this.holders('role-bindings', 'role', role, b => b.role === role);
    const bindings = await Promise.all(names.map(name => this.get('role-bindings', name)));
    return bindings.flatMap(binding => binding?.subjects.map(s => s.clientId) ?? []);
  }

  /** The scope and every scope that implies it, transitively: holding any of them holds it. */
  private async implying(scope: string): Promise<string[]> {
    const seen = new Set<string>([scope]);
    const queue = [scope];
    while (queue.length > 0) {
      const implied = queue.pop()!;
      for (const holder of await this.holders('scopes', 'implies', implied, s => s.implies.includes(implied))) {
        if (seen.has(holder)) continue;
        seen.add(holder);
        queue.push(holder);
      }
    }
    return [...seen];
  }

  async clientsReachedBy(kind: Kind, key: string): Promise<string[]> {
    switch (kind) {
      case 'clients':
        return [key];
      case 'role-bindings':
        return (await this.get('role-bindings', key))?.subjects.map(s => s.clientId) ?? [];
      case 'roles':
        return this.subjectsOfRole(key);
      case 'scopes': {
        const scopes = await this.implying(key);
        const roles = (await Promise.all(scopes.map(scope => this.holders('roles', 'scopes', scope, r => r.scopes.includes(scope))))).flat();
        return (await Promise.all(roles.map(role => this.subjectsOfRole(role)))).flat();
      }
    }
  }

  /**
   * The clients, the bindings naming them (subjects narrowed to these clients, so that no rule
   * reports on a client outside the part), the roles those bindings name, the objects changed (as
   * this reader sees them: before or after), and every scope (`implies` and risks are read across all of them; scopes are few and short).
   */
  async part(clientIds: ReadonlySet<string>, changes: readonly Change[]): Promise<ModelPart> {
    const narrowed = (binding: RoleBinding) => ({ ...binding, subjects: binding.subjects.filter(s => clientIds.has(s.clientId)) });
    const bindings = new Map((await this.bindingsNaming(clientIds)).map(b => [b.name, narrowed(b)]));
    const changed = async <K extends Kind>(kind: K): Promise<KindObject[K][]> => {
      const values: (KindObject[K] | null)[] = await Promise.all(changes.filter(c => c.kind === kind).map(c => this.get(kind, c.key)));
      return values.filter((o): o is KindObject[K] => o !== null);
    };
    for (const binding of await changed('role-bindings')) bindings.set(binding.name, narrowed(binding));
    const roleNames = new Set([...bindings.values()].map(b => b.role).concat((await changed('roles')).map(r => r.name)));
    const scopes = new Map((await this.store.list('scopes', { limit: Number.MAX_SAFE_INTEGER })).map(s => [s.value.name, s.value]));
    for (const change of changes.filter(c => c.kind === 'scopes')) {
      const value = await this.get('scopes', change.key);
      if (value === null) scopes.delete(change.key);
      else scopes.set(change.key, value);
    }
    return {
      scopes: [...scopes.values()],
      roles: (await Promise.all([...roleNames].map(name => this.get('roles', name)))).filter((r): r is Role => r !== null),
      clients: (await Promise.all([...clientIds].map(id => this.get('clients', id)))).filter((c): c is Client => c !== null),
      roleBindings: [...bindings.values()],
    };
  }
}

/** The store's answers kept for one judgement (inside one transaction, so they cannot go stale); promises, so a question asked twice at once is asked once. */
function memoized(store: AdmissionStore): AdmissionStore {
  const answers = new Map<string, unknown>();
  const once = <T>(question: string, ask: () => Promise<T>): Promise<T> => {
    if (!answers.has(question)) answers.set(question, ask());
    return answers.get(question) as Promise<T>;
  };
  return {
    get: (kind, key) => once(`get ${slot(kind, key)}`, () => store.get(kind, key)),
    list: (kind, options) => once(`list ${kind} ${options.after ?? ''} ${options.limit}`, () => store.list(kind, options)),
    holdersOf: (kind, field, key) => once(`holders ${kind} ${field} ${key}`, () => store.holdersOf(kind, field, key)),
    bindingsNamingAny: ids => once(`bindings ${JSON.stringify(ids)}`, () => store.bindingsNamingAny(ids)),
  };
}

function slot(kind: Kind, key: string): string {
  return `${kind}\u0000${key}`;
}

function unslot(id: string): [Kind, string] {
  const at = id.indexOf('\u0000');
  return [id.slice(0, at) as Kind, id.slice(at + 1)];
}
