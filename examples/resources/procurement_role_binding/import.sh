# A role binding is imported by its name.
terraform import procurement_role_binding.ticket_agents ticket-agents
