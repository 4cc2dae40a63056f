/** `procurement-scopes server`: runs the embedded authorization server until SIGTERM or SIGINT. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS, LOG_LEVELS, LogLevel } from '../../server/defaults';
import { resolve as resolvePath } from 'node:path';
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
    .option('--issuer <url>', 'public issuer URL (e.g. https://auth.example.com): metadata, tokens and endpoint URLs use it whatever Host says (default: the listening address)')
    .option('--tls-cert <file>', 'PEM certificate (chain) to serve TLS with; needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--trust-proxy', 'behind a TLS-terminating reverse proxy: take the client address from X-Forwarded-For (needs an https --issuer)')
    .option('--client-rate-limit <n|off>', `token and introspection requests per second per client (default ${DEFAULTS.clientRateLimit})`, rateOrOff)
    .option('--failure-rate-limit <n|off>', `refused token and introspection requests per second per source address (default ${DEFAULTS.failureRateLimit})`, rateOrOff)
    .option('--token-body-limit <bytes>', 'largest token or introspection request body', integer, DEFAULTS.tokenBodyLimitBytes)
    .option('--headers-timeout <ms>', 'time to receive request headers', integer, DEFAULTS.headersTimeoutMs)
    .option('--request-timeout <ms>', 'time to receive a whole request', integer, DEFAULTS.requestTimeoutMs)
    .option('--idle-timeout <ms>', 'how long an idle keep-alive connection stays open', integer, DEFAULTS.keepAliveTimeoutMs)
    .option('--max-connections <n>', 'open connections at most', integer, DEFAULTS.maxConnections)
    .option('--audit-retention-days <n>', 'remove audit entries older than this', integer, DEFAULTS.auditRetentionDays)
    .option('--audit-max-entries <n>', 'remove the oldest audit entries past this many', integer, DEFAULTS.auditMaxEntries)
    .option('--refusal-retention-days <n>', 'remove refusal counters older than this', integer, DEFAULTS.refusalRetentionDays)
    .option('--retention-sweep <seconds>', 'how often retention runs', integer, DEFAULTS.retentionSweepSeconds)
    .option('--no-metrics', 'neither count for nor serve GET /metrics')
    .addOption(new Option('--log-level <level>', 'least level of the JSON log lines on stderr (debug adds a line per OAuth request)').choices(LOG_LEVELS).default('info'))
    .option('--downstream <file.json>', 'push every client and its allowed scopes to this authorization server (docs/downstreams.md), e.g. {"kind":"rfc7592","issuer":"https://auth.example.com","initialAccessTokenFile":"iat"}')
    .addHelpText(
      'after',
      '\nThe admin token is read from PROCUREMENT_ADMIN_TOKEN, or generated into <data>/admin-token (SQLite only: with --store, every instance needs the same PROCUREMENT_ADMIN_TOKEN).\n' +
        'Listening beyond loopback (e.g. --host 0.0.0.0) needs an https --issuer and TLS: --tls-cert/--tls-key, or a reverse proxy.\n' +
        'Several instances on one --store database serve as one server: give them the same --issuer.',
    )
    .action(async (options: ServerOptions) => {
      const { resolveConfig, describeStore, ConfigError } = await import('../../server/defaults.js');
      const { startServer } = await import('../../server/server.js');
      const { createLog } = await import('../../server/log.js');
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
          issuer: options.issuer ?? null,
          tls: options.tlsCert || options.tlsKey ? { certFile: absolute(options.tlsCert), keyFile: absolute(options.tlsKey) } : null,
          trustProxy: options.trustProxy === true,
          clientRateLimit: offAsNull(options.clientRateLimit),
          failureRateLimit: offAsNull(options.failureRateLimit),
          tokenBodyLimitBytes: options.tokenBodyLimit,
          headersTimeoutMs: options.headersTimeout,
          requestTimeoutMs: options.requestTimeout,
          keepAliveTimeoutMs: options.idleTimeout,
          maxConnections: options.maxConnections,
          auditRetentionDays: options.auditRetentionDays,
          auditMaxEntries: options.auditMaxEntries,
          refusalRetentionDays: options.refusalRetentionDays,
          retentionSweepSeconds: options.retentionSweep,
          metrics: options.metrics,
          downstreamFile: options.downstream ?? null,
        });
      } catch (e: unknown) {
        throw e instanceof ConfigError ? new UsageError(e.message) : e;
      }
      const log = createLog(options.logLevel);
      const server = await startServer(config, log).catch((e: NodeJS.ErrnoException) => {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
          throw new UsageError(`cannot listen on ${config.host}:${config.port} (${e.code}): choose another --port, or 0 for a free one`);
        }
        throw e;
      });
      // The handlers go in before the listening line: whoever waits for that line may signal at once.
      const stopped = new Promise<void>(resolve => {
        const stop = (signal: string) => {
          log.info(`received ${signal}: shutting down`);
          server.close().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      // One write, the listening line last: whoever waits for it has seen the whole banner.
      process.stdout.write(
        `data directory: ${config.dataDir}\nstore: ${describeStore(config)}\nadmin token: ${server.adminTokenOrigin}\n` +
          `policy: environment '${server.policy.environment}', ${server.policy.preset ? 'its recommended preset' : 'the stored policy document'}\n` +
          `issuer: ${server.issuer}\n${server.downstream ? `downstream: ${server.downstream} (clients get their tokens there)\n` : ''}listening on ${server.url}\n`,
      );
      log.info({ url: server.url, issuer: server.issuer }, `listening on ${server.url}`);
      await stopped;
    });
}

interface ServerOptions {
  port: number;
  host: string;
  data: string;
  store?: string;
  environment: string;
  adminRateLimit?: number;
  issuer?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: boolean;
  clientRateLimit?: number | 'off';
  failureRateLimit?: number | 'off';
  tokenBodyLimit: number;
  /** False with --no-metrics. */
  metrics: boolean;
  headersTimeout: number;
  requestTimeout: number;
  idleTimeout: number;
  maxConnections: number;
  auditRetentionDays: number;
  auditMaxEntries: number;
  refusalRetentionDays: number;
  retentionSweep: number;
  downstream?: string;
  logLevel: LogLevel;
}

/** A missing file stays empty, so that the settings check names the option left out. */
function absolute(file: string | undefined): string {
  return file ? resolvePath(file) : '';
}

/** A positive rate, or `off` for no limit (kept as the word: commander turns a null into ''). */
function rateOrOff(value: string): number | 'off' {
  return value === 'off' ? 'off' : positiveNumber(value);
}

function offAsNull(value: number | 'off' | undefined): number | null | undefined {
  return value === 'off' ? null : value;
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
