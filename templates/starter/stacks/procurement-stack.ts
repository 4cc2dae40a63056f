/**
 * The OAuth scopes, clients, roles and role bindings of one environment.
 * Environments whose name starts with `prod` get the strict guardrail preset
 * (high-risk grants expire within 30 days and carry a justification).
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Authorization, AuthorizationOutputs, ProcurementClient, ProcurementPolicy, Role, Scope, ScopeRisk } from 'procurement-scopes';

export interface ProcurementStackProps {
  readonly environment: 'dev' | 'prod';
}

export class ProcurementStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ProcurementStackProps) {
    super(scope, id);
    const auth = new Authorization(this, 'Procurement', {
      environment: props.environment,
      policy: ProcurementPolicy.recommended(props.environment, { allowedScopes: ['catalog.*', 'po.*', 'ticket.*'] }),
    });

    const catalogRead = new Scope(auth, 'CatalogRead', { name: 'catalog.read', description: 'Read supplier catalogs and prices.', risk: ScopeRisk.LOW, external: true });
    const comment = new Scope(auth, 'TicketComment', { name: 'ticket.comment', description: 'Comment on tickets.', risk: ScopeRisk.LOW });
    const write = new Scope(auth, 'TicketWrite', { name: 'ticket.write', description: 'Open tickets.', risk: ScopeRisk.MEDIUM, implies: [comment] });
    const approve = new Scope(auth, 'PoApprove', { name: 'po.approve', description: 'Approve purchase orders.', risk: ScopeRisk.HIGH });

    const portal = new ProcurementClient(auth, 'SupplierPortal', { clientId: 'supplier-portal', displayName: 'Supplier portal', owner: 'supplier-experience', external: true });
    const desk = new ProcurementClient(auth, 'Ticketing', { clientId: 'ticketing-integration', displayName: 'Ticketing', owner: 'service-desk' });
    const bot = new ProcurementClient(auth, 'ApprovalBot', { clientId: 'approval-bot', displayName: 'Approval bot', owner: 'automation' });

    new Role(auth, 'CatalogReader', { name: 'catalog-reader', description: 'Browse supplier catalogs.', scopes: [catalogRead] }).grantTo(portal);
    new Role(auth, 'TicketAgent', { name: 'ticket-agent', description: 'Work tickets.', scopes: [write] }).grantTo(desk);
    // High risk: the grant needs an expiry within the policy window (prod 30 days) and a justification.
    // This example renews its expiry by itself (the next 1st or 16th at least 14 days ahead), so it never
    // rots; real stacks write the date their change ticket approves, e.g. expiresAt: '2027-01-31T00:00:00Z'.
    new Role(auth, 'Approver', { name: 'approver', description: 'Approve orders.', scopes: [approve] })
      .grantTo(bot, { expiresAt: auth.renewingExpiry(14), justification: 'CHG-0001 replace with your change ticket' });

    // The stack's outputs (`npx procurement-scopes cdk output <env>`): the client ids, and the scopes each may ask for.
    new AuthorizationOutputs(auth, 'Outputs');
  }
}
