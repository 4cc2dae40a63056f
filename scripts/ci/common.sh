# Shared by the scripts in scripts/ci, which hold the shell steps of the
# procurement workflows (.github/workflows/procurement-*.yml) so that a test
# can run them off GitHub (test/workflows/workflow-steps.test.ts).
#
# Every script runs from the repository root with set -euo pipefail. Secrets
# arrive only as environment variables, never as arguments (visible in ps).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# No update checks from Terraform or cdktf: they print getaddrinfo errors wherever the network is closed.
export CHECKPOINT_DISABLE=1
# This repository runs its own CLI; a stacks repository made by `procurement-scopes init` runs the installed one.
# Terraform commands that use the provider run as `procurement_scopes terraform ...`: one provider process serves the
# whole command (TF_REATTACH_PROVIDERS) instead of one per phase, and ends with it.
procurement_scopes() {
  if [ -f "$REPO_ROOT/bin/procurement-scopes.js" ]; then node "$REPO_ROOT/bin/procurement-scopes.js" "$@"
  else "$REPO_ROOT/node_modules/.bin/procurement-scopes" "$@"; fi
}

# The synthesized directory of one stack; fails naming the stacks there are.
stack_dir() {
  local dir="$REPO_ROOT/cdktf.out/stacks/$1"
  if [ ! -f "$dir/cdk.tf.json" ]; then
    echo "no synthesized stack '$1' in cdktf.out/stacks (there are: $(ls "$REPO_ROOT/cdktf.out/stacks" 2>/dev/null | tr '\n' ' ')); run cdktf synth first" >&2
    exit 2
  fi
  echo "$dir"
}

# Appends to the job summary on GitHub, to stdout elsewhere.
summary() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >> "$GITHUB_STEP_SUMMARY"; else cat; fi; }

# Sets a step output on GitHub; prints it elsewhere.
output() { if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >> "$GITHUB_OUTPUT"; else echo "output $1=$2"; fi; }

# The state backend. `pg` (the default in CI) replaces the stacks' local backend with PostgreSQL through an override
# file (Terraform merges *_override.tf.json last); its connection string comes from PG_CONN_STR, never from a file.
# PROCUREMENT_STATE_READ_ONLY=1 marks a read-only connection (the plan jobs).
# `local` keeps the synthesized local backend (development, and the workflow test when no PostgreSQL is at hand).
use_state_backend() {
  local dir="$1" stack="$2"
  case "${PROCUREMENT_STATE_BACKEND:-pg}" in
    pg)
      # A read-only role cannot run the CREATE statements init issues: the schema and table are created once, by
      # `terraform init` with the owning role (see the header of procurement-plan.yml).
      local skip=''
      [ "${PROCUREMENT_STATE_READ_ONLY:-}" = 1 ] && skip=',"skip_schema_creation":true,"skip_table_creation":true,"skip_index_creation":true'
      echo "{\"terraform\":{\"backend\":{\"pg\":{\"schema_name\":\"procurement_$stack\"$skip}}}}" > "$dir/backend_override.tf.json" ;;
    local) rm -f "$dir/backend_override.tf.json" ;;
    *) echo "PROCUREMENT_STATE_BACKEND must be pg or local, got '$PROCUREMENT_STATE_BACKEND'" >&2; exit 2 ;;
  esac
}

# Initializes the Terraform working directory we are in. -reconfigure: CI never migrates state, whatever a .terraform
# directory left from another backend setting says. Through procurement_scopes: when Terraform asked a registry for
# our provider (no mirror installed, TF_CLI_CONFIG_FILE not set), it says to run install-provider.
init_stack() {
  procurement_scopes terraform init -input=false -no-color -reconfigure >/dev/null
}

# Enters a synthesized stack's directory with its state backend initialized.
enter_stack() {
  local dir
  dir="$(stack_dir "$1")"
  use_state_backend "$dir" "$1"
  cd "$dir"
  init_stack
}
