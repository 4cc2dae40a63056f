/** `procurement-scopes verify`: request real tokens and compare the granted scopes with the code. */
import { Command } from 'commander';

interface VerifyCommandOptions {
  client: string[];
  stack?: string;
  synthDir: string;
  config?: string;
  url?: string;
  secretsDir?: string;
  clientKey: string[];
  skipMissingSecrets: boolean;
  downstream?: string;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('request real tokens for each client and check the server grants exactly the scopes the code declares')
    .option('--client <id>', 'verify only this client (repeatable)', (id: string, all: string[]) => [...all, id], [])
    .option('--stack <name>', 'the stack under the synth dir (needed when there are several)')
    .option('--synth-dir <dir>', 'where cdktf synth wrote its output', 'cdktf.out')
    .option('--config <file>', 'a Terraform JSON file to read instead of the synth dir (e.g. cdk.tf.json)')
    .option('--url <url>', 'the authorization server (default: PROCUREMENT_URL, else http://127.0.0.1:8787)')
    .option('--secrets-dir <dir>', "where this stack's client secrets are kept (default: <PROCUREMENT_SECRETS_DIR>/<stack>/<server>)")
    .option('--downstream <file.json>', "ask the token endpoint of the server's downstream (the file given to `server --downstream`) instead of the server's")
    .option(
      '--client-key <client_id=file>',
      "the private key (JWK or PEM file) of a client that authenticates with private_key_jwt, to sign its token requests (repeatable)",
      (pair: string, all: string[]) => [...all, pair],
      [],
    )
    .option('--skip-missing-secrets', 'list clients whose secret is not on hand as not verified without failing (e.g. in CI, which holds only new secrets)', false)
    .addHelpText('after', '\nExit codes: 0 all match, 4 a client gets more or less than declared, 2 a secret (or a private_key_jwt client\'s key) is not on hand, 3 server unreachable.')
    .action(async (opts: VerifyCommandOptions) => {
      const { SecretStore } = await import('../../client/secret-store.js');
      const { openStackSecrets, SERVER_NAME_VARIABLE } = await import('../../client/secrets-layout.js');
      const { basename, dirname, resolve } = await import('node:path');
      const { UsageError, EXIT } = await import('../../model/errors.js');
      const { asExternal, requireSecretsDir, secretsDirOf, serverUrl } = await import('../../verify/server-connection.js');
      const { loadDeclaredModel, locateConfig } = await import('../../verify/terraform-config.js');
      const { TokenClient } = await import('../../verify/token-client.js');
      const { verifyClients } = await import('../../verify/verify.js');
      const { renderVerifyReport } = await import('../../verify/verify-report.js');

      const { file, model } = loadDeclaredModel(locateConfig(opts));
      const declaredIds = new Set([...model.clients.map(c => c.clientId), ...model.roleBindings.flatMap(b => b.subjects.map(s => s.clientId))]);
      const unknownIds = opts.client.filter(id => !declaredIds.has(id));
      if (unknownIds.length > 0) {
        throw new UsageError(`${unknownIds.join(', ')} not declared in ${file}; it declares ${[...declaredIds].sort().join(', ') || 'no clients'}`);
      }
      const { loadClientKey } = await import('../../verify/client-key.js');
      const { clientAuthentication } = await import('../../model/types.js');
      const keyClients = new Set(model.clients.filter(c => clientAuthentication(c) === 'private_key_jwt').map(c => c.clientId));
      const clientKeys = new Map(
        opts.clientKey.map(pair => {
          const [, id, path] = /^([^=]+)=(.+)$/.exec(pair) ?? [];
          if (!id) throw new UsageError(`--client-key takes <client_id>=<file>, got '${pair}'`);
          if (!keyClients.has(id)) throw new UsageError(`--client-key ${id}: ${file} declares no client '${id}' with jwks or jwks_uri (private_key_jwt)`);
          return [id, loadClientKey(path, id)];
        }),
      );
      const selected = opts.client.length ? opts.client : model.clients.map(c => c.clientId);
      // A secrets dir is needed only for clients that have secrets. Under PROCUREMENT_SECRETS_DIR, the directory of this
      // stack on this server (the one that issued the secrets, also with --downstream): where the provider, run beside
      // this file, wrote them.
      const openSecrets = () =>
        opts.secretsDir !== undefined
          ? new SecretStore(opts.secretsDir)
          : openStackSecrets(
              { root: requireSecretsDir(undefined), stack: basename(dirname(resolve(file))), serverUrl: serverUrl(opts.url), serverName: process.env[SERVER_NAME_VARIABLE] },
              note => process.stderr.write(`note: ${note}\n`),
            );
      const secrets = selected.every(id => keyClients.has(id)) && !secretsDirOf(opts.secretsDir) ? null : openSecrets();
      const downstream = opts.downstream ? await downstreamTokens(opts.downstream) : null;
      const url = downstream?.url ?? serverUrl(opts.url);
      const tokens = downstream?.tokens ?? (await TokenClient.discover(url).catch(asExternal));
      const results = await verifyClients({ model, tokens, secrets, clientKeys, clientIds: opts.client.length ? opts.client : undefined }).catch(asExternal);
      process.stdout.write(renderVerifyReport(results, { file, url }));
      if (results.some(r => r.status === 'mismatch')) process.exitCode = EXIT.mismatch;
      else if (!opts.skipMissingSecrets && results.some(r => r.status === 'no-secret')) process.exitCode = EXIT.usage;
    });
}

/** The token endpoint of the downstream a `server --downstream` file names (its adapter reads the file as the server does). */
async function downstreamTokens(file: string): Promise<{ url: string; tokens: import('../../verify/token-client').TokenClient }> {
  const { loadDownstream, DownstreamConfigError } = await import('../../server/downstream/config.js');
  const { TokenClient } = await import('../../verify/token-client.js');
  const { ExternalError, UsageError } = await import('../../model/errors.js');
  let settings;
  try {
    settings = loadDownstream(file);
  } catch (e) {
    throw e instanceof DownstreamConfigError ? new UsageError(e.message) : e;
  }
  const endpoint = await settings.adapter.tokenEndpoint().catch((e: Error) => {
    throw new ExternalError(`cannot reach the downstream: ${e.message}`);
  });
  return { url: endpoint, tokens: new TokenClient({ issuer: new URL(endpoint).origin, token_endpoint: endpoint }) };
}
