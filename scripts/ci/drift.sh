#!/usr/bin/env bash
# drift.sh <stack>: a refresh-only plan (read token, -lock=false: nothing is written) and its review. Sets the output
# `drift` to true or false and leaves drift.md in the stack directory; exits 0 either way (the workflow decides).
# Terraform's -detailed-exitcode is not used: a refresh-only plan reports 2 even when it lists no drift.
source "$(dirname "$0")/common.sh"
stack="$1"
enter_stack "$stack"
procurement_scopes terraform plan -input=false -no-color -lock=false -refresh-only -out=drift.tfplan
procurement_scopes terraform show -json drift.tfplan > drift.json
count="$(node -e 'const p = JSON.parse(require("fs").readFileSync("drift.json", "utf8")); console.log((p.resource_drift ?? []).length)')"
procurement_scopes review drift.json --format markdown --stack "$stack" > drift.md
if [ "$count" -gt 0 ]; then output drift true; echo "$count objects changed outside Terraform"; else output drift false; echo "no drift"; fi
summary < drift.md
