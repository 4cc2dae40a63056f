resource "procurement_client" "ticketing" {
  client_id    = "ticketing-integration"
  display_name = "Ticketing integration"
  owner        = "service-desk"
  # Defaults: grant_types ["client_credentials"], no redirect URIs, external false.
  token_lifetime_seconds = 900
  secret_rotation_days   = 90
}
