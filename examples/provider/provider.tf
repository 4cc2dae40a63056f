terraform {
  required_providers {
    procurement = {
      # Not on a registry: `npx procurement-scopes install-provider --config-file <path>`
      # installs it into a filesystem mirror; set TF_CLI_CONFIG_FILE=<path>.
      source  = "procurement-scopes/procurement"
      version = "~> 0.1"
    }
  }
}

# The admin token comes from PROCUREMENT_ADMIN_TOKEN: a token in code lands in version control.
provider "procurement" {
  url             = "http://127.0.0.1:8787" # default: PROCUREMENT_URL, else this
  timeout_seconds = 30
  secrets_dir     = ".procurement/secrets/dev" # where new clients' secrets are written; default: <PROCUREMENT_SECRETS_DIR>/<stack>/<server>
}
