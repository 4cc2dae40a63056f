#!/usr/bin/env bash
# route.sh <plans-dir>: which protected environment applies each stack's reviewed plan. <plans-dir> holds the plan
# jobs' artifacts as download-artifact writes them (plan-<stack>/), each with the apply-role that plan.sh left in it:
# `admin` for a plan that changes the procurement_policy, `write` otherwise (`plan-guard role`). Sets the output
# `plans` to the apply job's matrix, [{"stack":...,"role":...,"environment":...}] by stack name: a plan that needs
# the admin token runs in POLICY_ENVIRONMENT (which holds it, and whose reviewers approve policy changes), any other
# in APPLY_ENVIRONMENT (the write token's).
source "$(dirname "$0")/common.sh"
: "${APPLY_ENVIRONMENT:?set APPLY_ENVIRONMENT to the environment holding the write token}"
: "${POLICY_ENVIRONMENT:?set POLICY_ENVIRONMENT to the environment holding the admin token for policy changes}"
plans="$(node - "$1" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const fail = message => { console.error(message); process.exit(2); };
if (!dir || !fs.existsSync(dir)) fail(`route.sh <plans-dir>: '${dir ?? ''}' does not exist: download the plan jobs' artifacts (plan-<stack>) into it`);
const stacks = fs.readdirSync(dir).filter(name => name.startsWith('plan-')).sort();
if (stacks.length === 0) fail(`${dir} holds no plan-<stack> artifact: download the plan jobs' artifacts into it`);
const environments = { write: process.env.APPLY_ENVIRONMENT, admin: process.env.POLICY_ENVIRONMENT };
console.log(JSON.stringify(stacks.map(name => {
  const file = path.join(dir, name, 'apply-role');
  const role = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (!(role in environments)) fail(`${file} should say admin or write (plan.sh writes it), but ${role ? `says '${role.slice(0, 40)}'` : 'is missing'}: plan the stack again`);
  return { stack: name.slice('plan-'.length), role, environment: environments[role] };
})));
JS
)"
echo "plans: $plans"
output plans "$plans"
