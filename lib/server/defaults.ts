/**
 * Every setting of the embedded server, its default and why, in one place.
 * `resolveConfig` validates the settings at start-up and names the bad one.
 */
import { resolve } from 'node:path';

/** The least levels of the server's JSON log (log.ts, `--log-level`). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  /** Interface to listen on. Loopback by default: the admin API is not meant for the network. */
  host: string;
  /** TCP port; 0 picks a free one (the chosen port is printed). */
  port: number;
  /** Directory holding the SQLite store, the signing keys and the generated admin token. */
  dataDir: string;
  /**
   * A PostgreSQL URL (`postgres://user:password@host:port/database`) to keep everything in instead of the
   * SQLite file of the data directory: several instances on one database serve as one server. Null = SQLite.
   */
  storeUrl: string | null;
  /** Admin API bearer token; when absent one is generated on first start into `<dataDir>/admin-token`. */
  adminToken: string | null;
  /** Admin API requests per second (token bucket, bursts up to the same number); null = no limit. */
  adminRateLimit: number | null;
  /** Largest admin request body accepted; larger bodies get 413. */
  bodyLimitBytes: number;
  /**
   * The environment this server guards (e.g. `dev`, `prod`): a fresh server enforces the recommended
   * policy preset for it (the strict one when the name starts with `prod`). Recorded in the data
   * directory at first start; starting the same data with another environment is refused.
   */
  environment: string;
  /**
   * The public issuer URL (`https://auth.example.com`): the metadata, the tokens' `iss` and every endpoint URL
   * use it, whatever a request's `Host` says. Null: derived from the listening address (loopback only).
   */
  issuer: string | null;
  /** PEM certificate (chain) and private key files: the server then speaks TLS itself. Null: plain HTTP. */
  tls: { certFile: string; keyFile: string } | null;
  /**
   * Behind a reverse proxy: take the client's address from the last `X-Forwarded-For` entry (the one the
   * proxy appended). Off: every `X-Forwarded-*` header is ignored. The issuer stays fixed either way.
   */
  trustProxy: boolean;
  /**
   * Token and introspection requests a second per registered client (each endpoint its own token bucket,
   * bursts up to the same number); only requests that authenticated as the client count. null = no limit.
   */
  clientRateLimit: number | null;
  /**
   * Refused token and introspection requests that did not authenticate, a second per source address (IPv6 by /64); past it, that
   * source's requests naming no registered client get 429 (those naming one still authenticate). null = no limit.
   */
  failureRateLimit: number | null;
  /** Largest token or introspection request body; larger ones get 413 (oidc-provider's own cap is 56 KiB). */
  tokenBodyLimitBytes: number;
  /** Time for a client to send a request's headers before the connection is closed (node:http headersTimeout). */
  headersTimeoutMs: number;
  /** Time for a client to send a whole request, headers and body (node:http requestTimeout). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (node:http keepAliveTimeout). */
  keepAliveTimeoutMs: number;
  /** Open connections at most; further ones are closed as they arrive (node:http maxConnections). */
  maxConnections: number;
  /** Audit entries older than this many days are removed. */
  auditRetentionDays: number;
  /** Past this many audit entries the oldest are removed. */
  auditMaxEntries: number;
  /** Refusal counters older than this many days are removed. */
  refusalRetentionDays: number;
  /** How often retention runs (it also runs at start). */
  retentionSweepSeconds: number;
  /** Count for and serve `GET /metrics`; false: neither (what the benchmark compares counting against). */
  metrics: boolean;
  /**
   * A downstream file (`--downstream`, lib/server/downstream/config.ts): the server is then a control plane that
   * pushes each client's allowed scopes to that authorization server. Null: the embedded token endpoint only.
   */
  downstreamFile: string | null;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  dataDir: './.procurement/server',
  storeUrl: null,
  adminToken: null,
  adminRateLimit: null,
  bodyLimitBytes: 1024 * 1024,
  environment: 'dev',
  issuer: null,
  tls: null,
  trustProxy: false,
  // A client-credentials token lasts an hour: 100 a second from one client is a fleet restarting at once.
  clientRateLimit: 100,
  failureRateLimit: 20,
  // A token request is a few hundred bytes; a private_key_jwt assertion a few KiB.
  tokenBodyLimitBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  auditRetentionDays: 400,
  auditMaxEntries: 1_000_000,
  refusalRetentionDays: 30,
  retentionSweepSeconds: 60,
  metrics: true,
  downstreamFile: null,
} as const satisfies ServerConfig;

/** An admin token shorter than this is refused: it guards every scope of every client. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export class ConfigError extends Error {}

export function resolveConfig(input: Partial<ServerConfig>): ServerConfig {
  const config = { ...DEFAULTS, ...stripUndefined(input) };
  const fail: Fail = (key, message) => {
    throw new ConfigError(`invalid server setting ${key}: ${message}`);
  };
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65_535) {
    fail('port', `must be an integer from 0 to 65535, got ${config.port}`);
  }
  if (typeof config.host !== 'string' || config.host.length === 0) fail('host', 'must not be empty');
  if (typeof config.dataDir !== 'string' || config.dataDir.length === 0) fail('dataDir', 'must not be empty');
  if (config.storeUrl !== null) {
    const url = parseUrl(config.storeUrl);
    if (!url || !['postgres:', 'postgresql:'].includes(url.protocol) || !url.hostname) {
      // The value may hold a password: the message shows its scheme only.
      fail('storeUrl', `(--store, PROCUREMENT_STORE_URL) must be a postgres://user:password@host:port/database URL, got one starting '${config.storeUrl.split(':')[0]}:'`);
    }
    if (config.adminToken === null) {
      fail(
        'adminToken',
        'must come from PROCUREMENT_ADMIN_TOKEN with a PostgreSQL store: the instances sharing the database must share one bootstrap admin token, and a token generated into one data directory would replace another instance\'s',
      );
    }
  }
  if (config.adminToken !== null && config.adminToken.length < ADMIN_TOKEN_MIN_LENGTH) {
    fail('adminToken', `(PROCUREMENT_ADMIN_TOKEN) must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`);
  }
  if (config.adminRateLimit !== null && !(config.adminRateLimit > 0 && Number.isFinite(config.adminRateLimit))) {
    fail('adminRateLimit', `must be a positive number of requests per second, got ${config.adminRateLimit}`);
  }
  if (!Number.isInteger(config.bodyLimitBytes) || config.bodyLimitBytes < 1024) {
    fail('bodyLimitBytes', `must be an integer of at least 1024, got ${config.bodyLimitBytes}`);
  }
  for (const key of ['clientRateLimit', 'failureRateLimit'] as const) {
    const value = config[key];
    if (value !== null && !(value > 0 && Number.isFinite(value))) fail(key, `must be a positive number of requests per second, or off, got ${value}`);
  }
  const integers: [keyof ServerConfig, number][] = [
    ['tokenBodyLimitBytes', 1024],
    ['headersTimeoutMs', 100],
    ['requestTimeoutMs', 100],
    ['keepAliveTimeoutMs', 100],
    ['maxConnections', 1],
    ['auditRetentionDays', 1],
    ['auditMaxEntries', 1],
    ['refusalRetentionDays', 1],
    ['retentionSweepSeconds', 1],
  ];
  for (const [key, min] of integers) {
    const value = config[key] as number;
    if (!Number.isInteger(value) || value < min) fail(key, `must be an integer of at least ${min}, got ${value}`);
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    fail('headersTimeoutMs', `must not exceed requestTimeoutMs (${config.requestTimeoutMs}), got ${config.headersTimeoutMs}`);
  }
  if (typeof config.environment !== 'string' || !ENVIRONMENT_NAME.test(config.environment)) {
    fail('environment', `must be 1 to 63 letters, digits, '-' or '_' starting with a letter (e.g. dev, prod-eu), got '${config.environment}'`);
  }
  const issuer = config.issuer === null ? null : parseIssuer(config.issuer, config.tls !== null, fail);
  checkExposure(config, issuer, fail);
  return {
    ...config,
    issuer: issuer?.origin ?? null,
    dataDir: resolve(config.dataDir),
    downstreamFile: config.downstreamFile === null ? null : resolve(config.downstreamFile),
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

type Fail = (key: keyof ServerConfig, message: string) => never;

/** An origin only: a path would move every endpoint, and the routes are served at the root. */
function parseIssuer(text: string, tls: boolean, fail: Fail): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('issuer', `must be an absolute URL such as https://auth.example.com, got '${text}'`);
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    fail('issuer', `must be a bare origin (scheme, host, optional port) such as https://auth.example.com, got '${text}'`);
  }
  if (url.protocol === 'http:' && (tls || !isLoopback(url.hostname))) {
    fail('issuer', `must be https (RFC 8414)${tls ? ' since the server serves TLS' : ''}; http is only for a loopback issuer, got '${text}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('issuer', `must be an https URL, got '${text}'`);
  return url;
}

/** What reaches beyond this machine must carry tokens under the name clients use, over TLS (here or at a proxy). */
function checkExposure(config: ServerConfig, issuer: URL | null, fail: Fail): void {
  if (config.tls && (!config.tls.certFile || !config.tls.keyFile)) fail('tls', 'needs both a certificate file (--tls-cert) and a key file (--tls-key)');
  if (config.trustProxy && issuer?.protocol !== 'https:') {
    fail('trustProxy', 'behind a reverse proxy, give the public https URL the proxy serves with --issuer (e.g. --issuer https://auth.example.com)');
  }
  if (!isLoopback(config.host) && issuer?.protocol !== 'https:') {
    fail(
      'host',
      `listening on ${config.host} exposes tokens and the admin API beyond this machine: give the public https issuer clients reach ` +
        '(--issuer https://auth.example.com) and either serve TLS here (--tls-cert <file> --tls-key <file>) or put a TLS-terminating ' +
        'reverse proxy in front (--trust-proxy); or listen on 127.0.0.1',
    );
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Where the store lives, for the start-up banner and logs: host, port and database, never the user or password. */
export function describeStore(config: ServerConfig): string {
  if (config.storeUrl === null) return `SQLite in ${config.dataDir}`;
  const url = new URL(config.storeUrl);
  return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
