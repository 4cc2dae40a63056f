/**
 * `procurement-scopes downstream adopt <client_id>`: takes a client someone
 * else made on the control plane's downstream into its ownership (needs an
 * admin token; docs/downstreams.md). A glewlwyd client is found by its id; an
 * rfc7592 one by its registration URI and access token, the token read from a
 * file (never an option value: it would show in `ps`).
 */
import { Command } from 'commander';
import { AdminConnectionOptions, connectAdmin, withAdminConnection } from './admin-connection';

interface AdoptOptions extends AdminConnectionOptions {
  registrationClientUri?: string;
  registrationAccessTokenFile?: string;
  replace: boolean;
}

export function register(program: Command): void {
  const downstream = program.command('downstream').description("manage the control plane's downstream authorization server");
  withAdminConnection(downstream.command('adopt'), 'an admin token')
    .description('adopt a client that already exists on the downstream: the control plane manages it from now on (pushes the model\'s scopes to it)')
    .argument('<client_id>', 'the client in the model (declared and applied) to manage the downstream client as')
    .option('--registration-client-uri <uri>', 'rfc7592: the registration_client_uri the downstream answered when the client was registered')
    .option('--registration-access-token-file <file>', 'rfc7592: a file holding its registration_access_token')
    .option('--replace', 'when the control plane already made a downstream client for it (rfc7592 assigns new ids), delete that one there and adopt this one', false)
    .action(async (clientId: string, opts: AdoptOptions) => {
      const { readFileSync } = await import('node:fs');
      const { UsageError } = await import('../../model/errors.js');
      const { asCliError } = await import('../../verify/server-connection.js');
      if ((opts.registrationClientUri === undefined) !== (opts.registrationAccessTokenFile === undefined)) {
        throw new UsageError('give --registration-client-uri and --registration-access-token-file together (an rfc7592 downstream), or neither (glewlwyd)');
      }
      const reference: Record<string, string> = {};
      if (opts.registrationClientUri !== undefined && opts.registrationAccessTokenFile !== undefined) {
        reference.registrationClientUri = opts.registrationClientUri;
        try {
          reference.registrationAccessToken = readFileSync(opts.registrationAccessTokenFile, 'utf8').trim();
        } catch (e) {
          throw new UsageError(`cannot read --registration-access-token-file ${opts.registrationAccessTokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
      const { url, admin } = await connectAdmin(opts, { actor: 'procurement-scopes downstream adopt' });
      const adoption = await admin.adoptDownstream(clientId, reference, opts.replace).catch(e => asCliError(e, url, `adopt '${clientId}'`));
      const held = adoption.held.length > 0 ? adoption.held.join(' ') : 'nothing (disabled)';
      process.stdout.write(
        adoption.adopted
          ? `adopted '${clientId}' (downstream id ${adoption.remoteId}): it held ${held}; the control plane now pushes the model's scopes to it\n`
          : `'${clientId}' (downstream id ${adoption.remoteId}) was already adopted: nothing changed\n`,
      );
    });
}
