/**
 * The procurement scopes every environment declares: one per resource and
 * action, with its risk and whether suppliers (external clients) may hold it.
 */
import { Authorization, Scope, ScopeRisk } from '../lib/constructs';

export function declareProcurementScopes(auth: Authorization) {
  const scope = (id: string, name: string, description: string, risk: ScopeRisk, external = false, implies: Scope[] = []) =>
    new Scope(auth, id, { name, description, risk, external, implies });
  const ticketComment = scope('TicketComment', 'ticket.comment', 'Comment on procurement tickets.', ScopeRisk.LOW);
  return {
    catalogRead: scope('CatalogRead', 'catalog.read', 'Read supplier catalogs and prices.', ScopeRisk.LOW, true),
    catalogWrite: scope('CatalogWrite', 'catalog.write', "Maintain a supplier's own catalog entries.", ScopeRisk.MEDIUM, true),
    rfqCreate: scope('RfqCreate', 'rfq.create', 'Open requests for quotation.', ScopeRisk.MEDIUM),
    rfqRespond: scope('RfqRespond', 'rfq.respond', 'Answer a request for quotation with a quote.', ScopeRisk.MEDIUM, true),
    rfqAward: scope('RfqAward', 'rfq.award', 'Award a request for quotation to a supplier.', ScopeRisk.HIGH),
    poRead: scope('PoRead', 'po.read', 'Read purchase orders.', ScopeRisk.LOW, true),
    poCreate: scope('PoCreate', 'po.create', 'Create purchase orders.', ScopeRisk.MEDIUM),
    poApprove: scope('PoApprove', 'po.approve', 'Approve purchase orders.', ScopeRisk.HIGH),
    budgetRead: scope('BudgetRead', 'budget.read', 'Read cost-centre budgets.', ScopeRisk.LOW),
    budgetCheck: scope('BudgetCheck', 'budget.check', 'Check and reserve budget for a requisition.', ScopeRisk.MEDIUM),
    invoiceRead: scope('InvoiceRead', 'invoice.read', 'Read supplier invoices.', ScopeRisk.LOW),
    invoiceSubmit: scope('InvoiceSubmit', 'invoice.submit', 'Submit an invoice against a purchase order.', ScopeRisk.MEDIUM, true),
    invoiceApprove: scope('InvoiceApprove', 'invoice.approve', 'Approve an invoice for payment (three-way match passed).', ScopeRisk.HIGH),
    paymentRead: scope('PaymentRead', 'payment.read', 'Read payment runs and remittances.', ScopeRisk.LOW),
    paymentCreate: scope('PaymentCreate', 'payment.create', 'Propose payments for approved invoices.', ScopeRisk.HIGH),
    paymentApprove: scope('PaymentApprove', 'payment.approve', 'Release payments to suppliers.', ScopeRisk.CRITICAL),
    ticketRead: scope('TicketRead', 'ticket.read', 'Read procurement tickets.', ScopeRisk.LOW),
    ticketComment,
    ticketWrite: scope('TicketWrite', 'ticket.write', 'Open and update procurement tickets.', ScopeRisk.MEDIUM, false, [ticketComment]),
    ticketApprove: scope('TicketApprove', 'ticket.approve', 'Approve procurement tickets (e.g. a new supplier).', ScopeRisk.HIGH),
  };
}

export type ProcurementScopes = ReturnType<typeof declareProcurementScopes>;

/** The allow-list entries for these scopes, by resource. */
export const PROCUREMENT_SCOPE_PREFIXES = ['catalog.*', 'rfq.*', 'po.*', 'budget.*', 'invoice.*', 'payment.*', 'ticket.*'];
