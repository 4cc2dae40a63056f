/**
 * Referential integrity of the model: a write may only name objects that
 * exist (422 otherwise), and an object may only be deleted once nothing names
 * it any more (409 otherwise). Both answers name the objects involved.
 */
import { Kind, KindObject, Role, RoleBinding, Scope } from '../../model/types';
import { Problem, renderPath } from '../../model/validate';
import { ServerError } from '../errors';
import { ObjectStore } from '../store/store';
import { NOUN } from './kinds';

interface Reference {
  path: (string | number)[];
  kind: Kind;
  key: string;
}

function referencesOf<K extends Kind>(kind: K, value: KindObject[K]): Reference[] {
  switch (kind) {
    case 'scopes':
      return (value as Scope).implies.map((key, i) => ({ path: ['implies', i], kind: 'scopes', key }));
    case 'roles':
      return (value as Role).scopes.map((key, i) => ({ path: ['scopes', i], kind: 'scopes', key }));
    case 'role-bindings': {
      const binding = value as RoleBinding;
      return [
        { path: ['role'], kind: 'roles', key: binding.role },
        ...binding.subjects.map((s, i): Reference => ({ path: ['subjects', i, 'clientId'], kind: 'clients', key: s.clientId })),
      ];
    }
    default:
      return [];
  }
}

export function checkReferences<K extends Kind>(store: ObjectStore, kind: K, key: string, value: KindObject[K]): void {
  const missing = referencesOf(kind, value).filter(ref => store.get(ref.kind, ref.key) === null);
  if (missing.length === 0) return;
  const problems: Problem[] = missing.map(ref => ({
    path: ref.path,
    field: renderPath(ref.path),
    message: `names ${NOUN[ref.kind]} '${ref.key}', which does not exist: create it first`,
  }));
  const names = missing.map(ref => `${NOUN[ref.kind]} '${ref.key}'`).join(', ');
  throw new ServerError(422, 'unknown_reference', `${NOUN[kind]} '${key}' names what does not exist: ${names}`, {
    field: problems[0].field,
    problems,
  });
}

/** Who still names an object, in words: "role 'buyer' (scopes)". */
function holdersOf(store: ObjectStore, kind: Kind, key: string): string[] {
  const named = (holderKind: Kind, keys: string[], how: string) => keys.map(k => `${NOUN[holderKind]} '${k}' (${how})`);
  switch (kind) {
    case 'scopes':
      return [
        ...named('roles', store.holdersOf('roles', 'scopes', key), 'in its scopes'),
        ...named('scopes', store.holdersOf('scopes', 'implies', key).filter(k => k !== key), 'implies it'),
      ];
    case 'roles':
      return named('role-bindings', store.holdersOf('role-bindings', 'role', key), 'binds it');
    case 'clients':
      return named('role-bindings', store.holdersOf('role-bindings', 'subjects', key), 'names it as a subject');
    default:
      return [];
  }
}

export function checkNotHeld(store: ObjectStore, kind: Kind, key: string): void {
  const holders = holdersOf(store, kind, key);
  if (holders.length === 0) return;
  throw new ServerError(
    409,
    'still_referenced',
    `${NOUN[kind]} '${key}' is still used by ${holders.join(', ')}: remove those references first`,
  );
}
