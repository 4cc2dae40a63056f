/**
 * The embedded authorization server: one HTTP listener in front of the admin
 * API, the health check and the OAuth side (the token endpoint, introspection,
 * the JWKS and the RFC 8414 metadata), every one of them answered here.
 * Everything it holds lives in the returned object: two servers can run in
 * one process.
 */
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { ModelValidator } from '../model/validate';
import { ADMIN_PREFIX, AdminRouter } from './admin/router';
import { loadOrCreateAdminToken } from './admin-token';
import { AdminTokens } from './admin-tokens';
import { ConfigError, ServerConfig, isLoopback } from './defaults';
import { handleError } from './error-handler';
import { Logger } from './log';
import { assignRequestId } from './request-id';
import { healthz } from './healthz';
import { introspectionEndpoint } from './oauth/introspection';
import { INTROSPECTION_PATH, JWKS_PATH, METADATA_PATH, TOKEN_PATH, jwksEndpoint, metadataEndpoint } from './oauth/metadata';
import { AccessTokens } from './oauth/access-tokens';
import { ClientAssertions } from './oauth/client-assertion';
import { ClientAuthentication } from './oauth/client-authentication';
import { TokenAudit } from './oauth/token-audit';
import { TokenEndpoint, tokenEndpoint } from './oauth/token-endpoint';
import { ServerError } from './errors';
import { RefusalCounter } from './oauth/refusal-counter';
import { RefusalLog } from './oauth/refusal-log';
import { RequestGuard } from './oauth/request-guard';
import { applyConnectionLimits, httpServerOptions } from './http-limits';
import { Retention } from './retention';
import { SigningKeys } from './signing-keys';
import { PolicyHolder } from './admission/server-policy';
import { GrantBatcher } from './oauth/grant-batch';
import { TokenReads } from './oauth/token-reads';
import { ClientSecrets } from './secrets';
import { openStore } from './store/open-store';
import { Store } from './store/store';
import { loadTls } from './tls';
import { METRICS_PATH, metricsEndpoint } from './metrics/metrics-endpoint';
import { UI_PATH, accessMapEndpoint } from './ui/access-map-endpoint';
import { NO_METRICS, ServerMetrics } from './metrics/server-metrics';
import { DownstreamConfigError, loadDownstream } from './downstream/config';
import { DownstreamSync } from './downstream/sync';

export interface RunningServer {
  /** Where this process listens, e.g. `http://127.0.0.1:8787` (https with TLS). */
  url: string;
  /** The issuer named in the metadata and the tokens: `--issuer`, or `url` when none is configured. */
  issuer: string;
  port: number;
  /** Where the bootstrap admin token was taken from (never the token itself). */
  adminTokenOrigin: string;
  /** The environment whose policy the server enforces, and whether that is still its recommended preset. */
  policy: { environment: string; preset: boolean };
  /** The downstream the server pushes to (`<kind> <address>`), or null for the embedded token endpoint alone. */
  downstream: string | null;
  close(): Promise<void>;
}

/** Every path answered, for the 404 of any other. */
const SERVED = [TOKEN_PATH, JWKS_PATH, METADATA_PATH, INTROSPECTION_PATH, '/healthz', METRICS_PATH, ADMIN_PREFIX, UI_PATH];

/** Refusal counters reach the store once a second, in one batch; past this many distinct rows a minute, sources count as `other`. */
const REFUSAL_FLUSH_MS = 1_000;
const REFUSAL_ROWS_PER_MINUTE = 500;
/** Refused requests get a log line each for the first of an endpoint, client and reason per this interval, then one line telling how many more. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;
/** The longest path a log line repeats of a request. */
const LOGGED_PATH_LENGTH = 200;

export async function startServer(config: ServerConfig, log: Logger, now: () => Date = () => new Date()): Promise<RunningServer> {
  const tls = config.tls ? loadTls(config.tls) : null;
  const downstreamSettings = config.downstreamFile === null ? null : openDownstream(config.downstreamFile);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config, log);
  const policy = await openPolicy(store, config.environment);
  const admin = loadOrCreateAdminToken(config.dataDir, config.adminToken);
  const adminTokens = new AdminTokens(store, now);
  if ((await adminTokens.registerBootstrap(admin.token)) === 'revoked') {
    log.warn(`the bootstrap admin token (${admin.origin}) was revoked: it is refused; configure a different one to get a bootstrap token again`);
  }
  const signingKeys = await SigningKeys.open(store, config.dataDir, now, log);
  const secrets = await ClientSecrets.open(store);
  const grants = new GrantBatcher(store);
  const metrics = config.metrics ? new ServerMetrics(store, now) : null;
  const counting = metrics ?? NO_METRICS;
  if (!isLoopback(config.host) && !tls) {
    log.warn(`listening on ${config.host} over plain HTTP: only a TLS-terminating reverse proxy for ${config.issuer} may reach this port`);
  }

  // Set once the listener's address (and so the default issuer) is known.
  let token: TokenEndpoint = async (_req, res) => void res.writeHead(503).end();
  let introspection: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async () => {};
  let metadata: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const jwks = jwksEndpoint(signingKeys);
  const refusals = new RefusalCounter({ store, now, log, metrics: counting, maxRowsPerMinute: REFUSAL_ROWS_PER_MINUTE, flushIntervalMs: REFUSAL_FLUSH_MS });
  const refusalLog = new RefusalLog({ log, intervalMs: REFUSAL_LOG_INTERVAL_MS });
  const retention = new Retention({ store, now, log, ...config });
  const reads = new TokenReads(store, policy);
  const guard = (endpoint: 'token' | 'introspection') =>
    new RequestGuard({
      endpoint,
      reads,
      counter: refusals,
      refusalLog,
      clientRate: config.clientRateLimit,
      failureRate: config.failureRateLimit,
      bodyLimitBytes: config.tokenBodyLimitBytes,
      trustProxy: config.trustProxy,
      now: () => now().getTime(),
    });
  const guards = { token: guard('token'), introspection: guard('introspection') };
  const downstream = downstreamSettings && new DownstreamSync({ store, policy, now, log, metrics: counting, ...downstreamSettings, downstreamId: downstreamSettings.id });
  if (downstream) metrics?.watchDownstream(downstream);
  const router = new AdminRouter(
    { store, adminTokens, validator: new ModelValidator(), now, bodyLimitBytes: config.bodyLimitBytes, policy, secrets, signingKeys, downstream },
    { rateLimit: config.adminRateLimit, metrics: counting },
  );

  const scrape = metricsEndpoint(metrics, adminTokens);
  const accessMap = accessMapEndpoint();
  // Answers under way, so that close() lets each finish with the store before closing it, even when its connection was cut.
  const inFlight = new Map<ServerResponse, Promise<void>>();
  let closing = false;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // Once closing, every answer ends its connection: a kept-alive one would otherwise bring further requests, all
    // answered, until the connections are cut (a client in a loop got hundreds of tokens after SIGTERM).
    if (closing) res.setHeader('connection', 'close');
    const reqId = assignRequestId(req, res);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const admin = url.pathname.startsWith(ADMIN_PREFIX);
    // Admin requests are few and each matters: logged at info; the OAuth side's many answers at debug only
    // (refusals are logged, bounded, by the request guard; failures by the error handler).
    const level = admin ? 'info' : 'debug';
    if (log.isLevelEnabled(level)) {
      const started = performance.now();
      res.once('finish', () => {
        const ms = Math.round((performance.now() - started) * 10) / 10;
        log[level]({ reqId, method: req.method, path: loggedPath(url.pathname, res.statusCode), status: res.statusCode, ms }, 'request answered');
      });
    }
    // Answered with an admin token, so refused in the admin API's words.
    const adminWords = admin || url.pathname === METRICS_PATH;
    const answer = async () => {
      if (admin) return router.handle(req, res, url);
      if (url.pathname === '/healthz') return healthz(store, res);
      if (url.pathname === METRICS_PATH) return scrape(req, res);
      if (url.pathname === '/ui' || url.pathname.startsWith(UI_PATH)) return accessMap(req, res, url.pathname);
      // Another instance's key rotation is seen here, at most once per check interval.
      await signingKeys.refresh();
      if (url.pathname === INTROSPECTION_PATH) return guards.introspection.handle(req, res, introspection);
      if (url.pathname === TOKEN_PATH) return guards.token.handle(req, res, token);
      if (url.pathname === JWKS_PATH) return jwks(req, res);
      if (url.pathname === METADATA_PATH) return metadata(req, res);
      throw new ServerError(404, 'not_found', `no such endpoint; this server serves ${SERVED.join(', ')} (see ${METADATA_PATH})`);
    };
    const answering = answer().catch(error => handleError(error, res, log, adminWords ? 'admin' : 'oauth'));
    inFlight.set(res, answering);
    void answering.finally(() => inFlight.delete(res));
  };
  const server = tls ? createTlsServer({ ...tls, ...httpServerOptions(config) }, handle) : createServer(httpServerOptions(config), handle);
  applyConnectionLimits(server, config);
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const issuer = new URL(config.issuer ?? url);

  const grant = { reads, tokens: new AccessTokens(issuer.origin, signingKeys), now, audit: new TokenAudit(now, grants, counting) };
  const assertions = new ClientAssertions(new Set([issuer.origin, new URL(TOKEN_PATH, issuer).href]), () => now().getTime());
  token = tokenEndpoint(grant, new ClientAuthentication(reads, secrets, assertions));
  metadata = metadataEndpoint(issuer);
  introspection = introspectionEndpoint({ issuer: issuer.origin, reads, signingKeys, secrets, authenticateAdmin: token => adminTokens.authenticate(token), now });
  const startPolicy = await policy.current(store);
  downstream?.start();

  return {
    url,
    issuer: issuer.origin,
    port,
    adminTokenOrigin: admin.origin,
    policy: { environment: startPolicy.environment, preset: startPolicy.preset },
    downstream: downstreamSettings?.id ?? null,
    close: async () => {
      closing = true;
      for (const res of inFlight.keys()) if (!res.headersSent) res.setHeader('connection', 'close');
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish; then the connections are cut.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      await Promise.allSettled(inFlight.values());
      await downstream?.close();
      // Grants still waiting for their batch are written before the store closes.
      await Promise.all([grants.flush(), refusals.close(), retention.close()]);
      refusalLog.close();
      await store.close();
    },
  };
}

/**
 * The path a log line names: as requested when the answer succeeded; else only the endpoint it fell under, since a
 * refused path may be anything a caller typed, a secret pasted in the wrong place included.
 */
function loggedPath(path: string, status: number): string {
  if (status < 400) return path.slice(0, LOGGED_PATH_LENGTH);
  const exact = SERVED.find(served => path === served);
  return exact ?? SERVED.find(served => path.startsWith(served.endsWith('/') ? served : `${served}/`)) ?? '(not served)';
}

function openDownstream(file: string) {
  try {
    return loadDownstream(file);
  } catch (e) {
    throw e instanceof DownstreamConfigError ? new ConfigError(e.message) : e;
  }
}

async function openPolicy(store: Store, environment: string): Promise<PolicyHolder> {
  try {
    return await PolicyHolder.open(store, environment);
  } catch (e) {
    await store.close();
    throw e;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
