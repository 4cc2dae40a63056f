#!/usr/bin/env bash
# apply.sh <stack-dir>: applies the plan file that plan.sh left in a stack directory (downloaded from the plan job's
# artifact), and nothing else: it first checks that neither the server nor the state changed since the plan and that
# the token may apply it (plan-guard), then runs `terraform apply plan.tfplan`, which holds the state lock while it writes.
#
# A plan that changes the server's policy needs an admin token. Terraform cannot refuse it before it starts: the
# provider refuses the policy's write, but Terraform has written outputs and dependencies to the state by then, and
# the saved plan is stale. So the token is chosen here: PROCUREMENT_POLICY_ADMIN_TOKEN when it is set and the plan
# touches the procurement_policy (`plan-guard role` says admin; the apply workflow runs such a plan in the job of the
# environment that holds that token, route.sh), else PROCUREMENT_ADMIN_TOKEN; plan-guard refuses (exit 4, nothing
# applied) a plan that changes the policy with a token that is not an admin's, and an admin applies that same plan later.
source "$(dirname "$0")/common.sh"
dir="$(cd "$1" && pwd)"
cd "$dir"
for file in plan.tfplan plan-guard.json cdk.tf.json; do
  [ -f "$file" ] || { echo "$dir/$file is missing: download the plan job's artifact into this directory" >&2; exit 2; }
done
init_stack
procurement_scopes terraform show -json plan.tfplan > plan-to-apply.json
if [ "$(procurement_scopes plan-guard role plan-to-apply.json)" = admin ] && [ -n "${PROCUREMENT_POLICY_ADMIN_TOKEN:-}" ]; then
  echo "this plan changes the procurement_policy: applying it with PROCUREMENT_POLICY_ADMIN_TOKEN"
  export PROCUREMENT_ADMIN_TOKEN="$PROCUREMENT_POLICY_ADMIN_TOKEN"
fi
terraform state pull > state-now.json
status=0
procurement_scopes plan-guard check plan-guard.json --state state-now.json --plan plan-to-apply.json || status=$?
rm -f state-now.json plan-to-apply.json
[ "$status" -eq 0 ] || exit "$status"
procurement_scopes terraform apply -input=false -no-color -lock-timeout=10m plan.tfplan
