# What a client may ask for now: the scopes of its unexpired bindings, widened by `implies`.
data "procurement_client_effective_scopes" "erp" {
  client_id = "erp-connector"
}

output "erp_scopes" {
  value = data.procurement_client_effective_scopes.erp.scopes
}
