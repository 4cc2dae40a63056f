# A role is imported by its name.
terraform import procurement_role.ticket_agent ticket-agent
