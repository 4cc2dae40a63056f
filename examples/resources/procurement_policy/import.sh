# The policy is imported by the environment its server guards.
terraform import procurement_policy.prod prod
