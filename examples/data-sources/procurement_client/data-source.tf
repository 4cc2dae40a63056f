# A client another team manages, looked up by client id.
data "procurement_client" "erp" {
  client_id = "erp-connector"
}

output "erp_owner" {
  value = data.procurement_client.erp.owner
}
