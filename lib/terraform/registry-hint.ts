/**
 * Terraform's answer when it looks for our provider in a registry: the registry
 * is unreachable (a closed network, a DNS error) or has no such provider (it is
 * not published there). Either way the fix is the filesystem mirror, which
 * Terraform's own message does not mention.
 */
import { PROVIDER_HOSTNAME_SOURCE } from '../provider/plugin/handshake';

/** procurement-scopes/procurement: how Terraform names it in these messages. */
const PROVIDER_SOURCE = PROVIDER_HOSTNAME_SOURCE.slice(PROVIDER_HOSTNAME_SOURCE.indexOf('/') + 1);

const ASKED_REGISTRY = /Failed to (query available provider packages|install provider|retrieve provider)/;

/** The advice to add to a failed terraform (or cdktf/cdktn) command's output, or null when the failure is another. */
export function registryHint(output: string): string | null {
  // Terraform wraps its messages: the source may be split at the slash's line.
  const flat = output.replace(/\s+/g, ' ');
  if (!ASKED_REGISTRY.test(flat) || !flat.includes(PROVIDER_SOURCE)) return null;
  return (
    `Terraform looked for ${PROVIDER_SOURCE} in a registry: it is installed from a local mirror instead. ` +
    'Run `npx procurement-scopes install-provider --config-file .procurement/terraform.rc` and set ' +
    'TF_CLI_CONFIG_FILE to that file (in a stacks repository made by `procurement-scopes init`, `npm install` does the first and ' +
    '`npm run diff` / `npm run synth` / `npm start` both).'
  );
}
