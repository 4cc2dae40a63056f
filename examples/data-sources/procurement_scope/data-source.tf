# A scope another team manages, looked up by name.
data "procurement_scope" "payment_approve" {
  name = "payment.approve"
}

output "payment_approve_risk" {
  value = data.procurement_scope.payment_approve.risk
}
