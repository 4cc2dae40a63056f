#!/usr/bin/env bash
# apply.sh <stack-dir>: applies the plan file that plan.sh left in a stack directory (downloaded from the plan job's
# artifact), and nothing else: it first checks that neither the server nor the state changed since the plan
# (plan-guard), then runs `terraform apply plan.tfplan`, which holds the state lock while it writes.
source "$(dirname "$0")/common.sh"
dir="$(cd "$1" && pwd)"
cd "$dir"
for file in plan.tfplan plan-guard.json cdk.tf.json; do
  [ -f "$file" ] || { echo "$dir/$file is missing: download the plan job's artifact into this directory" >&2; exit 2; }
done
terraform init -input=false -no-color -reconfigure >/dev/null
terraform state pull > state-now.json
status=0
procurement_scopes plan-guard check plan-guard.json --state state-now.json || status=$?
rm -f state-now.json
[ "$status" -eq 0 ] || exit "$status"
procurement_scopes terraform apply -input=false -no-color -lock-timeout=10m plan.tfplan
