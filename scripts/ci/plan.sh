#!/usr/bin/env bash
# plan.sh <stack>: plans one synthesized stack with whatever credentials the environment holds, without ever
# writing: the state is read with -lock=false (a read-only database role cannot take the lock, and a plan needs
# none), and the provider only reads. Before planning it records the server revision and the state serial
# (plan-guard.json) so that the apply job can refuse once either moved. Leaves in the stack directory:
# plan.tfplan, plan.json, plan-guard.json, apply-role, review.md (fits a pull-request comment) and review-full.md.
source "$(dirname "$0")/common.sh"
stack="$1"
enter_stack "$stack"
terraform state pull > state-at-plan.json
procurement_scopes plan-guard record --state state-at-plan.json --out plan-guard.json
rm -f state-at-plan.json
procurement_scopes terraform plan -input=false -no-color -lock=false -out=plan.tfplan
procurement_scopes terraform show -json plan.tfplan > plan.json
# The token its apply needs (admin for a plan that changes the procurement_policy), read by route.sh in the apply workflow.
procurement_scopes plan-guard role plan.json > apply-role
echo "its apply needs a $(cat apply-role) token"
# Judged with the policy the server enforces (read role), followed by the plan's procurement_policy where it changes it.
policy=()
[ -n "${PROCUREMENT_URL:-}" ] && policy=(--policy-from "$PROCUREMENT_URL")
procurement_scopes review plan.json --format text "${policy[@]}"
run_url="${GITHUB_SERVER_URL:-}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
where="see the artifact plan-$stack of the run ${run_url}"
[ -n "${GITHUB_RUN_ID:-}" ] || where="run \`procurement-scopes review --full\` on the plan"
# The usage record (read role) lists grants nobody used lately; without a server URL the review goes without it.
usage=()
[ -n "${PROCUREMENT_URL:-}" ] && usage=(--usage-from "$PROCUREMENT_URL")
procurement_scopes review plan.json --format markdown --stack "$stack" --full-review "$where" "${usage[@]}" "${policy[@]}" > review.md
procurement_scopes review plan.json --format markdown --stack "$stack" --full "${usage[@]}" "${policy[@]}" > review-full.md
summary < review.md
