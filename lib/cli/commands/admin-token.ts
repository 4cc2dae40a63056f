/**
 * `procurement-scopes admin-token create|list|revoke`: the server's named
 * admin tokens, managed with an `admin` token (PROCUREMENT_ADMIN_TOKEN or
 * --admin-token-file, like rotate-secret). A created token is printed once,
 * alone on stdout, so that it can be piped straight into a secret store.
 */
import { Command, Option } from 'commander';
import { ADMIN_ROLES } from '../../model/admin-api';
import { AdminConnectionOptions as ConnectionOptions, connectAdmin, withAdminConnection } from './admin-connection';

export function register(program: Command): void {
  const command = program
    .command('admin-token')
    .description('create, list or revoke the admin tokens of a server (needs an admin token)')
    .addHelpText(
      'after',
      '\nRoles: read (plans, reviews, drift checks), write (apply), admin (policy and admin tokens).\n' +
        'Exit codes: 0 done, 2 bad arguments or a refused token or request, 3 server unreachable or failing.',
    );
  withAdminConnection(command.command('create').description('create a token and print it once (store it at once: it cannot be shown again)'))
    .requiredOption('--name <name>', 'a name for the token, recorded as the actor of every change made with it (e.g. ci-plan)')
    .addOption(new Option('--role <role>', 'what the token may do').choices(ADMIN_ROLES).makeOptionMandatory())
    .action(async (opts: ConnectionOptions & { name: string; role: (typeof ADMIN_ROLES)[number] }) => {
      const { admin, fail } = await connect(opts);
      const created = await admin.createAdminToken(opts.name, opts.role).catch(e => fail(e, `create the admin token '${opts.name}'`));
      process.stderr.write(`created the ${created.role} token '${created.name}'; it is printed below once and not stored anywhere in clear\n`);
      process.stdout.write(`${created.token}\n`);
    });
  withAdminConnection(command.command('list').description('list the tokens: name, role, creator, created and revoked times (never the tokens)'))
    .option('--json', 'print JSON instead of a table', false)
    .action(async (opts: ConnectionOptions & { json: boolean }) => {
      const { admin, fail } = await connect(opts);
      const tokens = await admin.listAdminTokens().catch(e => fail(e, 'list the admin tokens'));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        return;
      }
      const rows = [['NAME', 'ROLE', 'CREATED', 'BY', 'REVOKED'], ...tokens.map(t => [t.name, t.role, t.createdAt, t.createdBy ?? '(configuration)', t.revokedAt ?? '-'])];
      const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
      process.stdout.write(rows.map(r => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n');
    });
  withAdminConnection(command.command('revoke').description('revoke a token: it is refused from the next request on; its name stays taken'))
    .argument('<name>', 'the token to revoke')
    .action(async (name: string, opts: ConnectionOptions) => {
      const { admin, fail } = await connect(opts);
      await admin.revokeAdminToken(name).catch(e => fail(e, `revoke the admin token '${name}'`));
      process.stdout.write(`revoked the admin token '${name}'\n`);
    });
}

async function connect(opts: ConnectionOptions) {
  const { asCliError } = await import('../../verify/server-connection.js');
  const { url, admin } = await connectAdmin(opts, { actor: 'procurement-scopes admin-token', maxAttempts: 2 });
  return { admin, fail: (error: unknown, action: string): never => asCliError(error, url, action) };
}
