/**
 * `procurement_role_binding`: grants one role to a set of clients, like a
 * Kubernetes RoleBinding. The binding owns its whole subject set (exhaustive):
 * a subject removed from the code is removed from the server.
 */
import { isTimestamp, parseTimestamp } from '../../model/timestamp';
import { ObjectValue, Value } from '../protocol/value-codec';
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { ID_ATTRIBUTE, ObjectSchema } from '../framework/schema';

const schema: ObjectSchema = {
  description: 'Grants one role to a set of clients (the `subject` list). The binding owns its whole subject set.',
  attributes: [
    {
      name: 'name',
      type: 'string',
      required: true,
      forcesReplacement: true,
      description: 'The binding\'s name: lower case letters, digits and dashes (e.g. `buyers`). Changing it replaces the binding.',
    },
    { name: 'role', type: 'string', required: true, description: 'The name of the role granted.' },
    ID_ATTRIBUTE,
  ],
  objectLists: [
    {
      name: 'subject',
      field: 'subjects',
      description:
        'The clients the role is granted to, each at most once. Order carries no meaning: the provider keeps the order the state has, ' +
        'so only a reordered configuration shows a diff (one in-place update that changes nothing on the server).',
      attributes: [
        { name: 'client_id', type: 'string', required: true, description: 'The client id.' },
        {
          name: 'expires_at',
          type: 'string',
          optional: true,
          description: 'RFC 3339 date-time after which this client no longer holds the role (e.g. `2027-01-31T00:00:00Z`). Default: no expiry.',
        },
        { name: 'justification', type: 'string', optional: true, description: 'Change ticket or reason (e.g. `CHG-1234`). Default: none.' },
      ],
    },
  ],
};

/**
 * What the server answered, said the way the state already says it, so that only
 * real changes show: an expiry the server spelled differently (e.g. with
 * milliseconds) keeps the prior spelling when it is the same instant, and the
 * subjects keep their prior order (Terraform sees them as a list, see ObjectListSpec);
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
  typeName: 'procurement_role_binding',
  kind: 'role-bindings',
  noun: 'role binding',
  schema,
  keyAttribute: 'name',
  schemaVersion: 0,
  ...keyedResource({ kind: 'role-bindings', schema, keyAttribute: 'name', keepEquivalent: sayItLikeThePrior }),
} satisfies ResourceModule;
