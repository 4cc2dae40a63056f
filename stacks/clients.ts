/** The procurement integrations: one OAuth client each, owned by the team that runs it. */
import { Authorization, GrantType, ProcurementClient } from '../lib/constructs';

export interface ClientSettings {
  /** Secret rotation of internal clients, in days (the policy sets the maximum). */
  readonly rotationDays: number;
  /** Supplier secrets live outside the company: they rotate faster. */
  readonly supplierRotationDays: number;
  /** Where the supplier portal sends users back after sign-in. */
  readonly supplierPortalCallback: string;
}

export function declareProcurementClients(auth: Authorization, settings: ClientSettings) {
  const internal = { secretRotationDays: settings.rotationDays };
  return {
    erpConnector: new ProcurementClient(auth, 'ErpConnector', {
      clientId: 'erp-connector', displayName: 'ERP connector', owner: 'erp-integration', ...internal,
    }),
    supplierPortal: new ProcurementClient(auth, 'SupplierPortal', {
      clientId: 'supplier-portal',
      displayName: 'Supplier portal',
      owner: 'supplier-experience',
      external: true,
      // Its back end calls the procurement API with client credentials; supplier users sign in through the portal.
      grantTypes: [GrantType.CLIENT_CREDENTIALS, GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN],
      redirectUris: [settings.supplierPortalCallback],
      tokenLifetimeSeconds: 900,
      secretRotationDays: settings.supplierRotationDays,
    }),
    approvalBot: new ProcurementClient(auth, 'ApprovalBot', {
      clientId: 'approval-bot', displayName: 'Approval bot', owner: 'procurement-automation', tokenLifetimeSeconds: 600, ...internal,
    }),
    invoiceProcessor: new ProcurementClient(auth, 'InvoiceProcessor', {
      clientId: 'invoice-processor', displayName: 'Invoice processor', owner: 'accounts-payable', ...internal,
    }),
    budgetService: new ProcurementClient(auth, 'BudgetService', {
      clientId: 'budget-service', displayName: 'Budget service', owner: 'finance-platform', ...internal,
    }),
    ticketingIntegration: new ProcurementClient(auth, 'TicketingIntegration', {
      clientId: 'ticketing-integration', displayName: 'Ticketing integration', owner: 'service-desk', ...internal,
    }),
  };
}
