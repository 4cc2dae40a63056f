import { withImplied } from '../../../model';
import { clientPath, describeGrant, grantsByClient, GuardrailRule, implications, Violation } from '../rule';

/** External (supplier, partner) clients may only hold scopes marked `external`. */
export const externalIsolation: GuardrailRule = {
  id: 'EXTERNAL-ISOLATION',
  severity: 'error',
  finding: 'External clients may only hold scopes marked external.',
  explanation:
    'A supplier portal lives outside the company: it must never reach internal data or approvals. ' +
    'Mark the scope external if suppliers really may use it, or grant the client a role with external scopes only. ' +
    'Scopes not declared in this authorization (fromName) cannot be shown external and count as internal.',
  check: context => {
    const { model } = context;
    const external = model.clients.filter(c => c.value.external === true).map(c => c.value.clientId);
    if (external.length === 0) return 'not-applicable';
    const scopes = implications(model);
    const isExternal = new Map(model.scopes.map(s => [s.value.name, s.value.external === true]));
    const grants = grantsByClient(context);
    const violations: Violation[] = [];
    for (const clientId of external) {
      for (const grant of grants.get(clientId) ?? []) {
        const internal = [...withImplied([grant.scope], scopes)].filter(scope => !isExternal.get(scope));
        if (internal.length === 0) continue;
        violations.push({
          path: clientPath(context, clientId),
          message:
            `external client '${clientId}' would hold internal scope(s) ${internal.join(', ')} through ${describeGrant(grant)}; ` +
            'external clients may only hold scopes marked external. Remove the grant or mark the scope external',
        });
      }
    }
    return violations;
  },
};
