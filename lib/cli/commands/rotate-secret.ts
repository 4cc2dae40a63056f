/** `procurement-scopes rotate-secret <client_id>`: a new client secret, written to the secrets dir or shown once. */
import { Command } from 'commander';

interface RotateOptions {
  url?: string;
  secretsDir?: string;
  adminTokenFile?: string;
}

export function register(program: Command): void {
  program
    .command('rotate-secret')
    .description("issue a new secret for a client (the old one stops working); write it to the secrets dir, or print it once")
    .argument('<client_id>', 'the client whose secret to rotate')
    .option('--url <url>', 'the authorization server (default: PROCUREMENT_URL, else http://127.0.0.1:8787)')
    .option('--secrets-dir <dir>', 'write the secret here (0600 file per client) instead of printing it (default: PROCUREMENT_SECRETS_DIR)')
    .option('--admin-token-file <file>', 'read the admin token from this file (default: PROCUREMENT_ADMIN_TOKEN)')
    .action(async (clientId: string, opts: RotateOptions) => {
      const { readFileSync } = await import('node:fs');
      const { AdminApiError, AdminClient } = await import('../../client/admin-client.js');
      const { SecretStore } = await import('../../client/secret-store.js');
      const { UsageError } = await import('../../model/errors.js');
      const { adminTokenOf, asCliError, secretsDirOf, serverUrl } = await import('../../verify/server-connection.js');

      const url = serverUrl(opts.url);
      const admin = new AdminClient({ url, adminToken: adminTokenOf(opts.adminTokenFile, path => readFileSync(path, 'utf8')), actor: 'procurement-scopes rotate-secret' });
      const secretsDir = secretsDirOf(opts.secretsDir);
      const store = secretsDir ? new SecretStore(secretsDir) : null;
      const rotated = await admin.rotateSecret(clientId).catch(e => {
        if (e instanceof AdminApiError && e.status === 404) throw new UsageError(`no client '${clientId}' on the server at ${url}`);
        return asCliError(e, url, `rotate the secret of '${clientId}'`);
      });
      if (store) {
        try {
          store.save(rotated.clientId, rotated.clientSecret);
          process.stdout.write(`rotated the secret of client '${rotated.clientId}'; the new secret is in ${store.dir} (the old one no longer works)\n`);
          return;
        } catch (e) {
          // The old secret is already gone: losing the new one too would lock the client out.
          process.stderr.write(`could not write the secret to ${store.dir} (${(e as Error).message})\n`);
        }
      }
      process.stderr.write(`new secret of client '${rotated.clientId}' below: it is shown once and not stored anywhere (pass --secrets-dir to keep it in a file)\n`);
      process.stdout.write(`${rotated.clientSecret}\n`);
    });
}
