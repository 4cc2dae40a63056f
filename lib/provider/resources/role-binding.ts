/**
 * `procurement_role_binding`: grants one role to a set of clients, like a
 * Kubernetes RoleBinding. The binding owns its whole subject set (exhaustive):
 * a subject removed from the code is removed from the server.
 */
import { KEY_ATTRIBUTE, RESOURCE_TYPE, TERRAFORM_SCHEMA } from '../../model/terraform-attributes';
import { isTimestamp, parseTimestamp } from '../../model/timestamp';
import { NOUN } from '../../model/types';
import { ObjectValue, Value } from '../protocol/value-codec';
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { withId } from '../framework/schema';

const schema = withId(TERRAFORM_SCHEMA['role-bindings']);

/**
 * What the server answered, said the way the state already says it, so that only
 * real changes show: an expiry the server spelled differently (e.g. with
 * milliseconds) keeps the prior spelling when it is the same instant, and the
 * subjects keep their prior order (Terraform sees them as a list, see framework/schema.ts);
 * subjects new to the state (e.g. after an import) follow, sorted by client id
 * the way the constructs sort them.
 */
function sayItLikeThePrior(fresh: ObjectValue, prior: ObjectValue): ObjectValue {
  const priorSubjects = (prior.subject as ObjectValue[] | null) ?? [];
  const before = new Map(priorSubjects.map(s => [s.client_id, s]));
  const position = new Map(priorSubjects.map((s, index) => [s.client_id, index]));
  const subject: ObjectValue[] = ((fresh.subject as ObjectValue[]) ?? []).map(s => {
    const was = before.get(s.client_id);
    return was && sameInstant(was.expires_at, s.expires_at) ? { ...s, expires_at: was.expires_at } : s;
  });
  const rank = (s: ObjectValue) => position.get(s.client_id) ?? priorSubjects.length;
  const byClientId = (a: ObjectValue, b: ObjectValue) => compareCodePoints(String(a.client_id), String(b.client_id));
  return { ...fresh, subject: subject.sort((a, b) => rank(a) - rank(b) || byClientId(a, b)) };
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameInstant(a: Value | undefined, b: Value | undefined): boolean {
  return typeof a === 'string' && typeof b === 'string' && isTimestamp(a) && isTimestamp(b) && parseTimestamp(a) === parseTimestamp(b);
}

export const roleBindingResource = {
  typeName: RESOURCE_TYPE['role-bindings'],
  kind: 'role-bindings',
  noun: NOUN['role-bindings'],
  schema,
  keyAttribute: KEY_ATTRIBUTE['role-bindings'],
  schemaVersion: 0,
  ...keyedResource({ kind: 'role-bindings', schema, keyAttribute: KEY_ATTRIBUTE['role-bindings'], keepEquivalent: sayItLikeThePrior }),
} satisfies ResourceModule;
