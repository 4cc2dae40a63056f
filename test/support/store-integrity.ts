/**
 * Integrity checks of what a server holds, for fault tests: the SQLite file
 * itself (read-only, after the server stopped) and the snapshot's meaning
 * (every object valid and normalized, every reference resolvable, no key
 * twice). Each check answers a list of problems in words; empty means sound.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Kind, KEY_FIELD, Snapshot } from '../../lib/model/types';
import { ModelValidator } from '../../lib/model/validate';
import { canonicalJson } from '../../lib/model/canonical-json';

/** `PRAGMA integrity_check` of `<dataDir>/store.sqlite`, opened read-only. Stop the server first. */
export function sqliteIntegrityProblems(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'store.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map(r => r.integrity_check).filter(line => line !== 'ok');
  } finally {
    db.close();
  }
}

/** Objects that fail their schema, are stored un-normalized, appear twice, or name something missing. */
export function snapshotProblems(snapshot: Snapshot, validator = new ModelValidator()): string[] {
  const problems: string[] = [];
  const byKind: Record<Kind, Record<string, unknown>[]> = {
    scopes: snapshot.scopes as unknown as Record<string, unknown>[],
    roles: snapshot.roles as unknown as Record<string, unknown>[],
    clients: snapshot.clients as unknown as Record<string, unknown>[],
    'role-bindings': snapshot.roleBindings as unknown as Record<string, unknown>[],
  };
  const keys = {} as Record<Kind, Set<string>>;
  for (const [kind, objects] of Object.entries(byKind) as [Kind, Record<string, unknown>[]][]) {
    keys[kind] = new Set();
    for (const object of objects) {
      const key = String(object[KEY_FIELD[kind]]);
      if (keys[kind].has(key)) problems.push(`${kind}/${key} appears more than once`);
      keys[kind].add(key);
      const result = validator.validate(kind, object);
      if (!result.ok) problems.push(`${kind}/${key} does not validate: ${JSON.stringify(result.problems)}`);
      else if (canonicalJson(result.value) !== canonicalJson(object)) problems.push(`${kind}/${key} is stored un-normalized: ${JSON.stringify(object)}`);
    }
  }
  const missing = (holder: string, what: Kind, key: string) => {
    if (!keys[what].has(key)) problems.push(`${holder} names ${what}/${key}, which does not exist`);
  };
  for (const scope of snapshot.scopes) for (const implied of scope.implies ?? []) missing(`scopes/${scope.name}`, 'scopes', implied);
  for (const role of snapshot.roles) for (const scope of role.scopes ?? []) missing(`roles/${role.name}`, 'scopes', scope);
  for (const binding of snapshot.roleBindings) {
    missing(`role-bindings/${binding.name}`, 'roles', binding.role);
    for (const subject of binding.subjects ?? []) missing(`role-bindings/${binding.name}`, 'clients', subject.clientId);
  }
  return problems;
}
