resource "procurement_role_binding" "ticket_agents" {
  name = "ticket-agents"
  role = procurement_role.ticket_agent.name
  # The binding owns its whole subject list: a client missing here loses the role.
  subject = [
    {
      client_id     = procurement_client.ticketing.client_id
      expires_at    = "2030-01-01T00:00:00Z" # optional, RFC 3339; high-risk scopes need one
      justification = "CHG-2041"             # optional; a change ticket
    },
  ]
}
