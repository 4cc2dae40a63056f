/**
 * The procurement authorization of one environment: scopes, roles, clients
 * and who holds which role. dev and prod declare the same integrations; prod
 * runs the strict recommended policy (30-day window for high-risk grants,
 * 90-day secret rotation, least privilege as an error) and dev adds a sandbox
 * scope and a load tester that prod's allow-list refuses.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Authorization, AuthorizationOutputs, ProcurementClient, ProcurementPolicy, Role, RoleBinding, Scope, ScopeRisk } from '../lib/constructs';
import { declareProcurementClients } from './clients';
import { declareProcurementRoles } from './roles';
import { declareProcurementScopes, PROCUREMENT_SCOPE_PREFIXES } from './scopes';

export type EnvironmentName = 'dev' | 'prod';

const ENVIRONMENTS = {
  dev: {
    rotationDays: 180,
    supplierRotationDays: 90,
    supplierPortalCallback: 'https://suppliers.dev.example.com/oauth/callback',
    // 60 to 75 days ahead: within dev's 90-day window.
    highRiskGrantDays: 60,
    allowedScopes: [...PROCUREMENT_SCOPE_PREFIXES, 'sandbox.*'],
  },
  prod: {
    rotationDays: 90,
    supplierRotationDays: 30,
    supplierPortalCallback: 'https://suppliers.example.com/oauth/callback',
    // 14 to 29 days ahead: within prod's 30-day window.
    highRiskGrantDays: 14,
    allowedScopes: PROCUREMENT_SCOPE_PREFIXES,
  },
} as const;

export interface ProcurementStackProps {
  readonly environment: EnvironmentName;
  /**
   * Clock the guardrails judge expiries against, and the expiries are computed from.
   * @default the system clock
   */
  readonly clock?: () => Date;
}

export class ProcurementStack extends TerraformStack {
  readonly authorization: Authorization;

  constructor(scope: Construct, id: string, props: ProcurementStackProps) {
    super(scope, id);
    const env = ENVIRONMENTS[props.environment];
    const auth = new Authorization(this, 'Procurement', {
      environment: props.environment,
      policy: ProcurementPolicy.recommended(props.environment, { allowedScopes: env.allowedScopes }),
      clock: props.clock,
    });
    this.authorization = auth;
    const scopes = declareProcurementScopes(auth);
    const roles = declareProcurementRoles(auth, scopes);
    const clients = declareProcurementClients(auth, env);

    // High-risk grants must expire within the policy window measured from the
    // synth clock. A fixed date would make this example stack fail its own
    // guardrails once the date came near, so the example renews the expiry by
    // itself, on the 1st and the 16th of each month (so a plan shows the renewal
    // twice a month, not daily). Real stacks should use the dates their change
    // tickets approve, and renew them through review.
    const timeBound = (ticket: string) => ({ expiresAt: auth.renewingExpiry(env.highRiskGrantDays), justification: ticket });

    // Explicit bindings: one resource each, however many clients they name.
    new RoleBinding(auth, 'Buyers', { name: 'buyers', role: roles.buyer, subjects: [{ client: clients.erpConnector }] });
    new RoleBinding(auth, 'Suppliers', { name: 'suppliers', role: roles.supplier, subjects: [{ client: clients.supplierPortal }] });
    new RoleBinding(auth, 'Approvers', {
      name: 'approvers',
      role: roles.approver,
      subjects: [{ client: clients.approvalBot, ...timeBound('CHG-2041 approval bot quarterly access review') }],
    });
    new RoleBinding(auth, 'TicketCommenters', {
      name: 'ticket-commenters',
      role: roles.ticketCommenter,
      subjects: [clients.approvalBot, clients.invoiceProcessor, clients.erpConnector, clients.budgetService].map(client => ({ client })),
    });

    // Sugar: grantTo aggregates into the role's own binding (`<role>-grants`), still one resource per role.
    roles.catalogReader.grantTo(clients.budgetService);
    roles.catalogReader.grantTo(clients.invoiceProcessor);
    roles.budgetController.grantTo(clients.budgetService);
    roles.budgetController.grantTo(clients.erpConnector);
    roles.ticketAgent.grantTo(clients.ticketingIntegration);
    roles.apClerk.grantTo(clients.invoiceProcessor, timeBound('CHG-2042 invoice automation rollout'));
    roles.paymentRunner.grantTo(clients.erpConnector, timeBound('CHG-2043 ERP payment proposals'));

    if (props.environment === 'dev') declareSandbox(auth);
    // `cdktf output <env>`: the client ids and the scopes each may ask for.
    new AuthorizationOutputs(auth, 'Outputs');
  }
}

/** dev only: a sandbox reset scope for load tests; prod's allow-list has no `sandbox.*`. */
function declareSandbox(auth: Authorization): void {
  const reset = new Scope(auth, 'SandboxReset', { name: 'sandbox.reset', description: 'Reset the procurement sandbox data.', risk: ScopeRisk.MEDIUM });
  const tester = new Role(auth, 'LoadTester', { name: 'load-tester', description: 'Drive load tests against the sandbox.', scopes: [reset] });
  tester.grantTo(new ProcurementClient(auth, 'LoadTesterClient', { clientId: 'load-tester', displayName: 'Load tester', owner: 'platform-qa', secretRotationDays: 30 }));
}
