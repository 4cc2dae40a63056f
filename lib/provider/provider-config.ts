/**
 * The `provider "procurement"` block: where the server is and how to talk to
 * it. Every setting has an environment variable, so that the admin token never
 * has to be written in code (anything in code lands in the synthesized JSON).
 */
import { ObjectValue } from './protocol/value-codec';
import { Diagnostic, error } from './framework/diagnostics';
import { ObjectSchema } from './framework/schema';
import { SERVER_NAME_PATTERN, SERVER_NAME_VARIABLE } from '../client/secrets-layout';

export const DEFAULT_URL = 'http://127.0.0.1:8787';
export const DEFAULT_TIMEOUT_SECONDS = 30;

export const PROVIDER_SCHEMA: ObjectSchema = {
  description: 'Manages OAuth scopes, clients, roles and role bindings of a procurement-scopes authorization server.',
  attributes: [
    {
      name: 'url',
      type: 'string',
      optional: true,
      description: `Base URL of the authorization server. Default: PROCUREMENT_URL, else ${DEFAULT_URL}.`,
    },
    {
      name: 'admin_token',
      type: 'string',
      optional: true,
      sensitive: true,
      description: 'Admin API token. Default: PROCUREMENT_ADMIN_TOKEN. Prefer the environment variable: a token in code lands in version control.',
    },
    {
      name: 'timeout_seconds',
      type: 'number',
      optional: true,
      description: `Timeout of one admin API request, in seconds. Default: ${DEFAULT_TIMEOUT_SECONDS}.`,
    },
    {
      name: 'secrets_dir',
      type: 'string',
      optional: true,
      description:
        'Directory where the secret of each client this provider creates is written (one 0600 file per client); secrets never enter state. ' +
        "Default: the stack's directory on this server under PROCUREMENT_SECRETS_DIR, `<PROCUREMENT_SECRETS_DIR>/<stack>/<server>`: the stack " +
        'is the name of the Terraform working directory, the server `<host>_<port>` of `url` (or PROCUREMENT_SERVER_NAME), so that stacks ' +
        'declaring the same client ids, and one stack on two servers, keep apart. For local use; in CI prefer `secrets_command`.',
    },
    {
      name: 'secrets_command',
      type: 'string',
      optional: true,
      description:
        'Shell command that receives the secret of each client this provider creates, as one JSON line on stdin ' +
        '(`{"client_id":...,"client_secret":...}`) with PROCUREMENT_CLIENT_ID in its environment, e.g. ' +
        '`vault kv put "secret/procurement/$PROCUREMENT_CLIENT_ID" -`. A command that fails fails the apply. ' +
        'Default: PROCUREMENT_SECRETS_COMMAND. With neither this nor `secrets_dir`, secrets are not kept (rotate one with `procurement-scopes rotate-secret`).',
    },
  ],
};

export interface ProviderSettings {
  url: string;
  adminToken: string;
  timeoutMs: number;
  secretsDir: string | null;
  /** True when secretsDir is PROCUREMENT_SECRETS_DIR, the root of every stack's directory (secrets-layout.ts). */
  secretsDirIsRoot: boolean;
  /** PROCUREMENT_SERVER_NAME: the server's directory name under that root, instead of the one derived from the URL. */
  serverName: string | null;
  secretsCommand: string | null;
}

/** Settings from the configuration, then the environment, then defaults; every problem reported at once. */
export function resolveSettings(config: ObjectValue, env: NodeJS.ProcessEnv): { settings?: ProviderSettings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const text = (name: string, variable?: string) => {
    const value = config[name];
    if (typeof value === 'string' && value !== '') return value;
    return variable && env[variable] ? env[variable] : undefined;
  };
  const url = text('url', 'PROCUREMENT_URL') ?? DEFAULT_URL;
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    diagnostics.push(error('Invalid server URL', `The provider's url must be an http(s) URL such as ${DEFAULT_URL}, got '${url}'.`, ['url']));
  }
  const adminToken = text('admin_token', 'PROCUREMENT_ADMIN_TOKEN');
  if (!adminToken) {
    diagnostics.push(
      error(
        'Missing admin token',
        'The procurement provider needs the admin token of the authorization server. Set the environment variable PROCUREMENT_ADMIN_TOKEN ' +
          '(preferred: it stays out of code and version control), or the provider\'s `admin_token` argument.',
        ['admin_token'],
      ),
    );
  }
  const timeout = config.timeout_seconds;
  const timeoutSeconds = typeof timeout === 'number' ? timeout : DEFAULT_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 3600)) {
    diagnostics.push(error('Invalid timeout', `timeout_seconds must be between 1 and 3600 seconds, got ${timeoutSeconds}.`, ['timeout_seconds']));
  }
  const serverName = env[SERVER_NAME_VARIABLE] || null;
  if (serverName !== null && !SERVER_NAME_PATTERN.test(serverName)) {
    diagnostics.push(
      error(
        'Invalid server name',
        `${SERVER_NAME_VARIABLE} names the server's directory of client secrets (<PROCUREMENT_SECRETS_DIR>/<stack>/<server>): it must be ` +
          `[a-z0-9._-], at most 100 characters, starting with a letter or digit, got '${serverName}'. Fix or unset it (the default is <host>_<port> of the url).`,
      ),
    );
  }
  if (diagnostics.length > 0 || !adminToken) return { diagnostics };
  return {
    settings: {
      url,
      adminToken,
      timeoutMs: timeoutSeconds * 1000,
      secretsDir: text('secrets_dir', 'PROCUREMENT_SECRETS_DIR') ?? null,
      secretsDirIsRoot: text('secrets_dir') === undefined,
      serverName,
      secretsCommand: text('secrets_command', 'PROCUREMENT_SECRETS_COMMAND') ?? null,
    },
    diagnostics,
  };
}
