import { Kind } from '../../model/types';
import { PolicyRule, Violation } from '../rule';

/** Roles, bindings and implied scopes may only name objects that exist (declared, or referenced by key). */
export const references: PolicyRule = {
  id: 'REFERENCES',
  severity: 'error',
  exceptionsAllowed: false,
  finding: 'Roles, bindings and scopes may only name scopes, roles and clients that exist.',
  explanation:
    'The server refuses a role naming an unknown scope, and a reference that only resolves on another server drifts forever. ' +
    'Declare the object in the same change, or, in a stack, reference an existing one with Scope.fromName / Role.fromName / ' +
    'ProcurementClient.fromClientId inside the same authorization.',
  check: ({ model }) => {
    const known: Record<'scopes' | 'roles' | 'clients', Set<string>> = {
      scopes: new Set(model.scopes.map(s => s.name)),
      roles: new Set(model.roles.map(r => r.name)),
      clients: new Set(model.clients.map(c => c.clientId)),
    };
    const violations: Violation[] = [];
    const check = (from: { kind: Kind; key: string }, field: (string | number)[], what: string, kind: keyof typeof known, name: string) => {
      if (known[kind].has(name)) return;
      violations.push({
        object: from,
        related: [{ kind, key: name }],
        field,
        message: `${what} '${name}', which does not exist`,
        remedy: `declare ${kind === 'clients' ? 'the client' : kind === 'roles' ? 'the role' : 'the scope'} in the same change, or reference an existing one`,
      });
    };
    for (const s of model.scopes) {
      for (const implied of 'implies' in s ? s.implies : []) check({ kind: 'scopes', key: s.name }, ['implies'], `scope '${s.name}' implies scope`, 'scopes', implied);
    }
    for (const r of model.roles) {
      for (const scope of 'scopes' in r ? r.scopes : []) check({ kind: 'roles', key: r.name }, ['scopes'], `role '${r.name}' names scope`, 'scopes', scope);
    }
    for (const b of model.roleBindings) {
      const binding = { kind: 'role-bindings' as const, key: b.name };
      check(binding, ['role'], `binding '${b.name}' names role`, 'roles', b.role);
      b.subjects.forEach((s, i) => check(binding, ['subjects', i, 'clientId'], `binding '${b.name}' names client`, 'clients', s.clientId));
    }
    return violations;
  },
};
