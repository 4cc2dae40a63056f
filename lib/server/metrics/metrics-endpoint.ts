/**
 * `GET /metrics`: the Prometheus exposition of the server's metrics
 * (server-metrics.ts), for any admin token (`read` is enough), which
 * Prometheus sends with `authorization: { credentials_file: ... }`. Client
 * ids and scopes are operators' business: no token, 401, as on the admin API.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateAdmin } from '../admin/router';
import { AdminTokens } from '../admin-tokens';
import { ServerError } from '../errors';
import { ServerMetrics } from './server-metrics';

export const METRICS_PATH = '/metrics';

/** `metrics`: null when the server was started with `--no-metrics` (then 404). */
export function metricsEndpoint(metrics: ServerMetrics | null, adminTokens: AdminTokens) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!metrics) throw new ServerError(404, 'not_found', `this server was started with --no-metrics: it counts nothing and serves no ${METRICS_PATH}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ServerError(405, 'method_not_allowed', `${METRICS_PATH} takes GET, got ${req.method}`, { headers: { allow: 'GET, HEAD' } });
    }
    await authenticateAdmin(adminTokens, req);
    const text = await metrics.exposition();
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}
