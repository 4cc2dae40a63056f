import { GuardrailModel, GuardrailRule, Violation } from '../rule';

/** Each key (scope name, role name, client id, binding name, subject per binding) is declared once. */
export const duplicates: GuardrailRule = {
  id: 'DUPLICATES',
  severity: 'error',
  finding: 'Each scope, role, client and role binding is declared once, and each binding names a client once.',
  explanation:
    'Two declarations of one key would fight over the same server object on every apply. ' +
    'Keep one declaration; to grant a role to a client again (say, with a later expiry) change the existing grant.',
  check: ({ model }) => {
    const violations: Violation[] = [
      ...twice(model, 'scopes', 'scope', s => s.name),
      ...twice(model, 'roles', 'role', r => r.name),
      ...twice(model, 'clients', 'client', c => c.clientId),
      ...twice(model, 'roleBindings', 'role binding', b => b.name),
    ];
    for (const { path, value: binding } of model.roleBindings) {
      const seen = new Set<string>();
      for (const { clientId } of binding.subjects) {
        if (seen.has(clientId)) violations.push({ path, message: `binding '${binding.name}' names client '${clientId}' twice: keep one grant per client` });
        seen.add(clientId);
      }
    }
    return violations;
  },
};

function twice<K extends 'scopes' | 'roles' | 'clients' | 'roleBindings'>(
  model: GuardrailModel,
  kind: K,
  noun: string,
  keyOf: (value: GuardrailModel[K][number]['value']) => string,
): Violation[] {
  const first = new Map<string, string>();
  const violations: Violation[] = [];
  // Imported objects are references, not declarations: only owned ones can collide.
  for (const entry of (model[kind] as readonly GuardrailModel[K][number][]).filter(e => !e.imported)) {
    const key = keyOf(entry.value);
    const earlier = first.get(key);
    if (earlier !== undefined) violations.push({ path: entry.path, message: `${noun} '${key}' is already declared at ${earlier}: declare it once` });
    else first.set(key, entry.path);
  }
  return violations;
}
