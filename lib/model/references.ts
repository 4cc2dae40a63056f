/**
 * Which objects an object names: a scope the scopes it implies, a role its
 * scopes, a binding its role and its subjects' clients. The server checks them
 * at every write and the provider at plan; each reports a missing one at `path`.
 */
import { Kind, KindObject, Role, RoleBinding, Scope } from './types';

export interface Reference {
  /** Where the name sits in the object, e.g. `['subjects', 0, 'clientId']`. */
  path: (string | number)[];
  kind: Kind;
  key: string;
}

/** The references of `value`; a name that is not a string (not known yet, at plan) is left out. */
export function referencesOf<K extends Kind>(kind: K, value: KindObject[K]): Reference[] {
  const named = (refs: Reference[]) => refs.filter(ref => typeof ref.key === 'string');
  switch (kind) {
    case 'scopes':
      return named(((value as Scope).implies ?? []).map((key, i) => ({ path: ['implies', i], kind: 'scopes', key })));
    case 'roles':
      return named(((value as Role).scopes ?? []).map((key, i) => ({ path: ['scopes', i], kind: 'scopes', key })));
    case 'role-bindings': {
      const binding = value as RoleBinding;
      return named([
        { path: ['role'], kind: 'roles', key: binding.role },
        ...(binding.subjects ?? []).map((s, i): Reference => ({ path: ['subjects', i, 'clientId'], kind: 'clients', key: s.clientId })),
      ]);
    }
    default:
      return [];
  }
}
