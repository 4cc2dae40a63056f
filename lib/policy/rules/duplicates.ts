import { Kind } from '../../model/types';
import { PolicyModel } from '../policy-model';
import { PolicyRule, Violation } from '../rule';

/** Each key (scope name, role name, client id, binding name) is declared once. A binding naming a client twice is the schema's to refuse. */
export const duplicates: PolicyRule = {
  id: 'DUPLICATES',
  severity: 'error',
  exceptionsAllowed: false,
  finding: 'Each scope, role, client and role binding is declared once.',
  explanation:
    'Two declarations of one key would fight over the same server object on every apply. ' +
    'Keep one declaration; to grant a role to a client again (say, with a later expiry) change the existing grant.',
  check: ({ model }) => [
    ...twice(model, 'scopes', 'scope', model.scopes.map(s => s.name)),
    ...twice(model, 'roles', 'role', model.roles.map(r => r.name)),
    ...twice(model, 'clients', 'client', model.clients.map(c => c.clientId)),
    ...twice(model, 'role-bindings', 'role binding', model.roleBindings.map(b => b.name)),
  ],
};

/** The second and later declarations of a key; referenced entries are not declarations and never collide. */
function twice(model: PolicyModel, kind: Kind, noun: string, keys: readonly string[]): Violation[] {
  const entries = { scopes: model.scopes, roles: model.roles, clients: model.clients, 'role-bindings': model.roleBindings }[kind];
  const seen = new Map<string, number>();
  const violations: Violation[] = [];
  keys.forEach((key, index) => {
    if ((entries[index] as { referenced?: boolean }).referenced === true) return;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    if (occurrence > 0) {
      violations.push({
        object: { kind, key, occurrence },
        message: `${noun} '${key}' is declared more than once`,
        remedy: 'declare it once',
      });
    }
  });
  return violations;
}
