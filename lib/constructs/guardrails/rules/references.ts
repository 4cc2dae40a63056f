import { GuardrailRule, Violation } from '../rule';

/** Roles, bindings and implied scopes may only name objects declared (or imported) in the same authorization. */
export const references: GuardrailRule = {
  id: 'REFERENCES',
  severity: 'error',
  finding: 'Roles, bindings and scopes may only name scopes, roles and clients of the same authorization.',
  explanation:
    'The server refuses a role naming an unknown scope, and a reference that only resolves on another server drifts forever. ' +
    'Declare the object in this authorization, or reference an existing one with Scope.fromName / Role.fromName / ' +
    'ProcurementClient.fromClientId inside it.',
  check: ({ model }) => {
    const scopes = new Set(model.scopes.map(s => s.value.name));
    const roles = new Set(model.roles.map(r => r.value.name));
    const clients = new Set(model.clients.map(c => c.value.clientId));
    const violations: Violation[] = [];
    const unknown = (path: string, what: string, name: string, known: Set<string>) => {
      if (!known.has(name)) violations.push({ path, message: `${what} '${name}', which is not declared in this authorization (declare it here or reference it with fromXxx inside this authorization)` });
    };
    for (const s of model.scopes) for (const implied of s.value.implies ?? []) unknown(s.path, `scope '${s.value.name}' implies scope`, implied, scopes);
    for (const r of model.roles) for (const scope of r.value.scopes ?? []) unknown(r.path, `role '${r.value.name}' names scope`, scope, scopes);
    for (const b of model.roleBindings) {
      unknown(b.path, `binding '${b.value.name}' names role`, b.value.role, roles);
      for (const subject of b.value.subjects) unknown(b.path, `binding '${b.value.name}' names client`, subject.clientId, clients);
    }
    return violations;
  },
};
