/**
 * Referential integrity of the model: a write may only name objects that
 * exist (422 otherwise), and an object may only be deleted once nothing names
 * it any more (409 otherwise). Both answers name the objects involved.
 */
import { referencesOf } from '../../model/references';
import { Kind, KindObject } from '../../model/types';
import { Problem, renderPath } from '../../model/validate';
import { ServerError } from '../errors';
import { ObjectStore } from '../store/store';
import { NOUN } from './kinds';

export async function checkReferences<K extends Kind>(store: ObjectStore, kind: K, key: string, value: KindObject[K]): Promise<void> {
  const problems = await referenceProblems(async (refKind, refKey) => (await store.get(refKind, refKey)) !== null, kind, value);
  if (problems.length === 0) return;
  const names = problems.map(p => p.missing).join(', ');
  throw new ServerError(422, 'unknown_reference', `${NOUN[kind]} '${key}' names what does not exist: ${names}`, {
    field: problems[0].field,
    problems: problems.map(({ missing: _, ...problem }) => problem),
  });
}

/** A reference to what does not exist, as a problem at its field; `missing` names it ("role 'buyer'"). */
export async function referenceProblems<K extends Kind>(
  exists: (kind: Kind, key: string) => Promise<boolean>,
  kind: K,
  value: KindObject[K],
): Promise<(Problem & { missing: string })[]> {
  const references = referencesOf(kind, value);
  const found = await Promise.all(references.map(ref => exists(ref.kind, ref.key)));
  return references
    .filter((_, i) => !found[i])
    .map(ref => ({
      path: ref.path,
      field: renderPath(ref.path),
      message: `names ${NOUN[ref.kind]} '${ref.key}', which does not exist: create it first`,
      missing: `${NOUN[ref.kind]} '${ref.key}'`,
    }));
}

/** Who still names an object, in words: "role 'buyer' (scopes)". */
async function holdersOf(store: ObjectStore, kind: Kind, key: string): Promise<string[]> {
  const named = (holderKind: Kind, keys: string[], how: string) => keys.map(k => `${NOUN[holderKind]} '${k}' (${how})`);
  switch (kind) {
    case 'scopes':
      return [
        ...named('roles', await store.holdersOf('roles', 'scopes', key), 'in its scopes'),
        ...named('scopes', (await store.holdersOf('scopes', 'implies', key)).filter(k => k !== key), 'implies it'),
      ];
    case 'roles':
      return named('role-bindings', await store.holdersOf('role-bindings', 'role', key), 'binds it');
    case 'clients':
      return named('role-bindings', await store.holdersOf('role-bindings', 'subjects', key), 'names it as a subject');
    default:
      return [];
  }
}

export async function checkNotHeld(store: ObjectStore, kind: Kind, key: string): Promise<void> {
  const holders = await holdersOf(store, kind, key);
  if (holders.length === 0) return;
  throw new ServerError(
    409,
    'still_referenced',
    `${NOUN[kind]} '${key}' is still used by ${holders.join(', ')}: remove those references first`,
  );
}
