/** `procurement-scopes rotate-secret <client_id>`: a new client secret, handed to the secrets command, written to the secrets dir, or shown once. */
import { Command } from 'commander';
import { AdminConnectionOptions, connectAdmin, withAdminConnection } from './admin-connection';

interface RotateOptions extends AdminConnectionOptions {
  secretsDir?: string;
  stack?: string;
  secretsCommand?: string;
}

export function register(program: Command): void {
  withAdminConnection(program.command('rotate-secret'))
    .description('issue a new secret for a client (the old one stops working); hand it to the secrets command, write it to the secrets dir, or print it once')
    .argument('<client_id>', 'the client whose secret to rotate')
    .option('--secrets-dir <dir>', 'write the secret here (0600 file per client) instead of printing it (default: the --stack directory under PROCUREMENT_SECRETS_DIR)')
    .option('--stack <name>', "the client's stack: its secrets on this server are in <PROCUREMENT_SECRETS_DIR>/<stack>/<server>, where the provider and verify keep them")
    .option('--secrets-command <command>', "hand the secret to this shell command as JSON on stdin, like the provider's secrets_command (default: PROCUREMENT_SECRETS_COMMAND)")
    .action(async (clientId: string, opts: RotateOptions) => {
      const { AdminApiError } = await import('../../client/admin-client.js');
      const { SecretStore } = await import('../../client/secret-store.js');
      const { openStackSecrets, SERVER_NAME_VARIABLE } = await import('../../client/secrets-layout.js');
      const { SecretCommand } = await import('../../client/secret-command.js');
      const { ExternalError, UsageError } = await import('../../model/errors.js');
      const { asCliError, secretsDirOf } = await import('../../verify/server-connection.js');

      const { url, admin } = await connectAdmin(opts, { actor: 'procurement-scopes rotate-secret' });
      const root = opts.secretsDir === undefined ? secretsDirOf(undefined) : null;
      if (root && !opts.stack) {
        throw new UsageError(
          `PROCUREMENT_SECRETS_DIR (${root}) holds one directory per stack and server: name the client's stack with --stack <name>, or pass --secrets-dir <dir>`,
        );
      }
      const note = (text: string) => process.stderr.write(`note: ${text}\n`);
      const store = root
        ? openStackSecrets({ root, stack: opts.stack!, serverUrl: url, serverName: process.env[SERVER_NAME_VARIABLE] }, note)
        : opts.secretsDir
          ? new SecretStore(opts.secretsDir)
          : null;
      const commandText = opts.secretsCommand ?? (process.env.PROCUREMENT_SECRETS_COMMAND || null);
      const rotated = await admin.rotateSecret(clientId).catch(e => {
        if (e instanceof AdminApiError && e.status === 404) throw new UsageError(`no client '${clientId}' on the server at ${url}`);
        return asCliError(e, url, `rotate the secret of '${clientId}'`);
      });
      if (commandText) {
        // Never printed as a fallback here: where a command is configured, stdout is usually a CI log.
        await new SecretCommand(commandText).deliver(rotated.clientId, rotated.clientSecret).catch((e: Error) => {
          throw new ExternalError(`the new secret of '${rotated.clientId}' was not delivered (${e.message}); it was discarded and the old one no longer works: fix the command and run rotate-secret again`);
        });
        process.stdout.write(`rotated the secret of client '${rotated.clientId}' and handed the new one to the secrets command (the old one no longer works)\n`);
        if (!store) return;
      }
      if (store) {
        try {
          store.save(rotated.clientId, rotated.clientSecret);
          process.stdout.write(`rotated the secret of client '${rotated.clientId}'; the new secret is in ${store.dir} (the old one no longer works)\n`);
          return;
        } catch (e) {
          // The old secret is already gone: losing the new one too would lock the client out.
          process.stderr.write(`could not write the secret to ${store.dir} (${(e as Error).message})\n`);
          if (commandText) return; // delivered by the command all the same
        }
      }
      process.stderr.write(`new secret of client '${rotated.clientId}' below: it is shown once and not stored anywhere (pass --secrets-dir to keep it in a file)\n`);
      process.stdout.write(`${rotated.clientSecret}\n`);
    });
}
