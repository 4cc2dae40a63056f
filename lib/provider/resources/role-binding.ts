/**
 * `procurement_role_binding`: grants one role to a set of clients, like a
 * Kubernetes RoleBinding. The binding owns its whole subject set (exhaustive):
 * a subject removed from the code is removed from the server.
 */
import { ObjectValue, Value } from '../protocol/value-codec';
import { keyedResource } from '../framework/keyed-resource';
import { ResourceModule } from '../framework/resource-module';
import { ID_ATTRIBUTE, ObjectSchema } from '../framework/schema';

const schema: ObjectSchema = {
  description: 'Grants one role to a set of clients (the `subject` blocks). The binding owns its whole subject set.',
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
  blocks: [
    {
      name: 'subject',
      field: 'subjects',
      description: 'A client the role is granted to. A set: order never matters; each client at most once.',
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

/** The server may spell an expiry differently (e.g. with milliseconds): the same instant is no drift. */
function keepEquivalentExpiry(fresh: ObjectValue, prior: ObjectValue): ObjectValue {
  const priorSubjects = new Map(((prior.subject as ObjectValue[] | null) ?? []).map(s => [s.client_id, s]));
  const subject = ((fresh.subject as ObjectValue[]) ?? []).map(s => {
    const before = priorSubjects.get(s.client_id);
    return before && sameInstant(before.expires_at, s.expires_at) ? { ...s, expires_at: before.expires_at } : s;
  });
  return { ...fresh, subject: subject as ObjectValue[] };
}

function sameInstant(a: Value | undefined, b: Value | undefined): boolean {
  return typeof a === 'string' && typeof b === 'string' && Date.parse(a) === Date.parse(b) && !Number.isNaN(Date.parse(a));
}

export const roleBindingResource = {
  typeName: 'procurement_role_binding',
  kind: 'role-bindings',
  noun: 'role binding',
  schema,
  keyAttribute: 'name',
  schemaVersion: 0,
  ...keyedResource({ kind: 'role-bindings', schema, keyAttribute: 'name', keepEquivalent: keepEquivalentExpiry }),
} satisfies ResourceModule;
