/** Roles: the bundles of scopes that procurement duties need, kept apart where duties must be separate. */
import { Authorization, Role } from '../lib/constructs';
import { ProcurementScopes } from './scopes';

export function declareProcurementRoles(auth: Authorization, s: ProcurementScopes) {
  const role = (id: string, name: string, description: string, scopes: Parameters<Role['addScope']>) =>
    new Role(auth, id, { name, description, scopes });
  return {
    catalogReader: role('CatalogReader', 'catalog-reader', 'Browse supplier catalogs.', [s.catalogRead]),
    supplier: role('Supplier', 'supplier', 'What a supplier does through the portal: catalogs, quotes, orders, invoices.', [
      s.catalogRead, s.catalogWrite, s.rfqRespond, s.poRead, s.invoiceSubmit,
    ]),
    buyer: role('Buyer', 'buyer', 'Source and order: RFQs and purchase orders within budget.', [s.catalogRead, s.rfqCreate, s.poCreate, s.poRead, s.budgetRead]),
    approver: role('Approver', 'approver', 'Approve orders, awards, payments and tickets; never creates them.', [
      s.poApprove, s.rfqAward, s.paymentApprove, s.ticketApprove,
    ]),
    apClerk: role('ApClerk', 'ap-clerk', 'Accounts payable: match and approve invoices.', [s.invoiceRead, s.invoiceApprove, s.poRead, s.paymentRead]),
    paymentRunner: role('PaymentRunner', 'payment-runner', 'Propose payment runs for approved invoices.', [s.paymentCreate, s.paymentRead]),
    budgetController: role('BudgetController', 'budget-controller', 'Check and reserve budget for requisitions.', [s.budgetRead, s.budgetCheck]),
    ticketAgent: role('TicketAgent', 'ticket-agent', 'Open and update procurement tickets.', [s.ticketRead, s.ticketWrite]),
    ticketCommenter: role('TicketCommenter', 'ticket-commenter', 'Follow tickets and comment on them.', [s.ticketRead, s.ticketComment]),
  };
}

export type ProcurementRoles = ReturnType<typeof declareProcurementRoles>;
