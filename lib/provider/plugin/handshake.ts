/**
 * go-plugin's handshake: Terraform starts the plugin with a magic cookie and
 * the protocol versions it speaks, and reads one line from the plugin's stdout
 * saying where to connect: `1|6|unix|<socket>|grpc|<server cert DER, base64 without padding>`.
 * Nothing may reach stdout before that line.
 */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
const CORE_PROTOCOL_VERSION = 1;
export const PLUGIN_PROTOCOL_VERSION = 6;
/** The provider's argument that serves a whole command through TF_REATTACH_PROVIDERS (serve.ts). */
export const REATTACH_FLAG = '--reattach';
/** The provider's address: the key of its entry in TF_REATTACH_PROVIDERS and in lock files. */
export const PROVIDER_HOSTNAME_SOURCE = 'registry.terraform.io/procurement-scopes/procurement';

export interface HandshakeEnvironment {
  /** PEM of the client certificate Terraform will present (AutoMTLS). */
  clientCertificatePem: string;
}

/** Checks that Terraform started us; answers a message for people otherwise. */
export function checkLaunchedByTerraform(env: NodeJS.ProcessEnv): HandshakeEnvironment | string {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return (
      'This is a Terraform plugin: Terraform starts it, people do not. Install it with ' +
      '`npx procurement-scopes install-provider --config-file <path>` and point TF_CLI_CONFIG_FILE at that file.'
    );
  }
  const versions = (env.PLUGIN_PROTOCOL_VERSIONS ?? '').split(',').map(v => Number(v.trim()));
  if (!versions.includes(PLUGIN_PROTOCOL_VERSION)) {
    return `This provider speaks plugin protocol ${PLUGIN_PROTOCOL_VERSION}; this Terraform offers ${env.PLUGIN_PROTOCOL_VERSIONS || 'none'}. Use Terraform 1.0 or later.`;
  }
  if (!env.PLUGIN_CLIENT_CERT) {
    return 'Terraform did not offer a client certificate (PLUGIN_CLIENT_CERT): mutual TLS is required. Use Terraform 0.15 or later and do not set TF_DISABLE_PLUGIN_TLS.';
  }
  return { clientCertificatePem: env.PLUGIN_CLIENT_CERT };
}

export function handshakeLine(socketPath: string, certificateHandshake: string): string {
  return `${CORE_PROTOCOL_VERSION}|${PLUGIN_PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certificateHandshake}\n`;
}
