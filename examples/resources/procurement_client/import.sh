# A client is imported by its client id. Its secret is not: rotate it to get one
# (`npx procurement-scopes rotate-secret ticketing-integration`).
terraform import procurement_client.ticketing ticketing-integration
