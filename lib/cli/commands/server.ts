/** `procurement-scopes server`: runs the embedded authorization server until SIGTERM or SIGINT. */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULTS } from '../../server/defaults';
import { UsageError } from '../../model/errors';

export function register(program: Command): void {
  program
    .command('server')
    .description('Run the embedded OAuth authorization server (token endpoint, admin API, audit log).')
    .option('--port <port>', 'TCP port; 0 picks a free one', integer, DEFAULTS.port)
    .option('--host <host>', 'interface to listen on', DEFAULTS.host)
    .option('--data <dir>', 'data directory (SQLite store, signing key, generated admin token)', DEFAULTS.dataDir)
    .option('--store <url>', 'a PostgreSQL URL (postgres://user:password@host:port/database) to share with other instances instead of the SQLite file (default: PROCUREMENT_STORE_URL, else SQLite in --data)')
    .option('--environment <name>', 'the environment this server guards; a fresh server enforces its recommended policy preset (strict when the name starts with "prod")', DEFAULTS.environment)
    .option('--admin-rate-limit <n>', 'admin API requests per second before 429 (default: no limit)', positiveNumber)
    .addHelpText(
      'after',
      '\nThe admin token is read from PROCUREMENT_ADMIN_TOKEN, or generated into <data>/admin-token (SQLite only: with --store, every instance needs the same PROCUREMENT_ADMIN_TOKEN).',
    )
    .action(async (options: { port: number; host: string; data: string; store?: string; environment: string; adminRateLimit?: number }) => {
      const { resolveConfig, describeStore, ConfigError } = await import('../../server/defaults.js');
      const { startServer } = await import('../../server/server.js');
      let config;
      try {
        config = resolveConfig({
          port: options.port,
          host: options.host,
          dataDir: options.data,
          // A URL may hold a password: the environment variable keeps it out of `ps`.
          storeUrl: options.store ?? (process.env.PROCUREMENT_STORE_URL || null),
          adminToken: process.env.PROCUREMENT_ADMIN_TOKEN || null,
          adminRateLimit: options.adminRateLimit ?? null,
          environment: options.environment,
        });
      } catch (e: unknown) {
        throw e instanceof ConfigError ? new UsageError(e.message) : e;
      }
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const server = await startServer(config, log).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
          throw new UsageError(`cannot listen on ${config.host}:${config.port} (${e.code}): choose another --port, or 0 for a free one`);
        }
        throw e;
      });
      // One write, the listening line last: whoever waits for it has seen the whole banner.
      process.stdout.write(
        `data directory: ${config.dataDir}\nstore: ${describeStore(config)}\nadmin token: ${server.adminTokenOrigin}\n` +
          `policy: environment '${server.policy.environment}', ${server.policy.preset ? 'its recommended preset' : 'the stored policy document'}\n` +
          `listening on ${server.url}\n`,
      );
      await new Promise<void>(resolve => {
        const stop = (signal: string) => {
          log(`received ${signal}: shutting down`);
          server.close().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`must be an integer, got '${value}'`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`must be a positive number, got '${value}'`);
  return n;
}
