/**
 * How the commands that talk to the admin API (rotate-secret, admin-token,
 * plan-guard) find the server and the admin token: the same two options, read
 * the same way, so that they cannot drift apart.
 */
import { Command } from 'commander';

export interface AdminConnectionOptions {
  url?: string;
  adminTokenFile?: string;
}

/** Adds --url and --admin-token-file; `tokenNeeded` says which role is enough, e.g. 'a read token is enough'. */
export function withAdminConnection(command: Command, tokenNeeded?: string): Command {
  const needed = tokenNeeded ? ` (${tokenNeeded})` : '';
  return command
    .option('--url <url>', 'the authorization server (default: PROCUREMENT_URL, else http://127.0.0.1:8787)')
    .option('--admin-token-file <file>', `read the admin token${needed} from this file (default: PROCUREMENT_ADMIN_TOKEN)`);
}

/** An admin client for the options, loaded lazily so that --help stays instant; `url` is the server it talks to. */
export async function connectAdmin(
  opts: AdminConnectionOptions,
  client: { actor: string; maxAttempts?: number },
): Promise<{ url: string; admin: import('../../client/admin-client').AdminClient }> {
  const { readFileSync } = await import('node:fs');
  const { AdminClient } = await import('../../client/admin-client.js');
  const { adminTokenOf, serverUrl } = await import('../../verify/server-connection.js');
  const url = serverUrl(opts.url).replace(/\/+$/, '');
  const adminToken = adminTokenOf(opts.adminTokenFile, path => readFileSync(path, 'utf8'));
  return { url, admin: new AdminClient({ url, adminToken, ...client }) };
}
