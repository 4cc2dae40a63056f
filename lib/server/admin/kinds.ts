/** The object kinds as the admin API names them, and what is wrong with a key in a path. */
import { KEY_FIELD, Kind, NOUN } from '../../model/types';
import { ModelValidator } from '../../model/validate';
import { ServerError, badRequest, notFound } from '../errors';

export const KINDS: readonly Kind[] = ['scopes', 'roles', 'clients', 'role-bindings'];

export { NOUN };

export function parseKind(segment: string): Kind {
  if ((KINDS as readonly string[]).includes(segment)) return segment as Kind;
  throw new ServerError(404, 'not_found', `unknown object kind '${segment}': use one of ${KINDS.join(', ')}`);
}

/** Refuses a path key that no object could have, naming the rule, rather than a bare 404. */
export function checkKey(validator: ModelValidator, kind: Kind, key: string): void {
  const field = KEY_FIELD[kind];
  const result = validator.validate(kind, { [field]: key });
  const problem = result.ok ? undefined : result.problems.find(p => p.field === field);
  if (problem) throw badRequest(`${NOUN[kind]} key in the path: ${problem.message}`, { field });
}

export function absent(kind: Kind, key: string): ServerError {
  return notFound(`${NOUN[kind]} '${key}' does not exist`);
}
