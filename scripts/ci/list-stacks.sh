#!/usr/bin/env bash
# Synthesizes the app (guardrails run here) and sets the output `stacks` to the JSON list of its stacks, for a matrix.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
npx --no-install cdktf synth
stacks="$(node -e 'const fs = require("fs"); console.log(JSON.stringify(fs.readdirSync("cdktf.out/stacks").filter(s => fs.existsSync(`cdktf.out/stacks/${s}/cdk.tf.json`)).sort()))')"
if [ "$stacks" = "[]" ]; then echo "cdktf synth produced no stack" >&2; exit 2; fi
echo "stacks: $stacks"
output stacks "$stacks"
