# The policy the server of `prod` enforces. Fields left out take the
# environment's recommended preset. Changing it needs an admin token.
resource "procurement_policy" "prod" {
  environment = "prod"
  document = jsonencode({
    environment          = "prod"
    allowedScopes        = ["catalog.*", "po.*", "ticket.*"]
    maxHighRiskGrantDays = 14
    exceptions = [{
      ruleId    = "EXTERNAL-ISOLATION"
      object    = { kind = "clients", key = "supplier-portal" }
      reason    = "Supplier portal files tickets under contract C-77"
      expiresAt = "2027-01-31T00:00:00Z"
    }]
  })
}
