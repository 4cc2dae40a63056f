resource "procurement_role" "ticket_agent" {
  name        = "ticket-agent"
  description = "Open and update procurement tickets."
  # References (not literal names) make Terraform create the scopes first.
  scopes = [procurement_scope.ticket_write.name, procurement_scope.catalog_read.name]
}
