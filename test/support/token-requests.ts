/**
 * Raw requests to the token endpoint and introspection, for tests of what
 * stands in front of them (limits, refusals, floods): any client id, secret,
 * scope or body, with the status, the Retry-After and the OAuth error.
 */
import { Agent, request as httpRequest } from 'node:http';
import { AdminClient } from '../../lib/client/admin-client';

export interface RawAnswer {
  status: number;
  retryAfter: string | null;
  body: { access_token?: string; error?: string; error_description?: string; active?: boolean };
}

export interface RawTokenRequest {
  /** Sent as client_secret_basic. */
  basic?: [clientId: string, secret: string];
  /** Form fields besides grant_type=client_credentials (client_id and client_secret for client_secret_post, scope, ...). */
  form?: Record<string, string>;
}

/**
 * POSTs the form over node:http, through `agent` when given: separate keep-alive agents stand for
 * separate callers (an attacker's connections and a client's) on the same address. An empty body (glewlwyd's
 * 403s have none) reads as `{}`.
 */
export function postForm(url: string, request: RawTokenRequest, grant = true, agent?: Agent): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (request.basic) {
    const [id, secret] = request.basic.map(encodeURIComponent);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  const body = new URLSearchParams({ ...(grant ? { grant_type: 'client_credentials' } : {}), ...request.form }).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, res => {
      let text = '';
      res.setEncoding('utf8').on('data', chunk => (text += chunk));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter ?? null, body: (text === '' ? {} : JSON.parse(text)) as RawAnswer['body'] });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const tokenRequest = (serverUrl: string, request: RawTokenRequest, agent?: Agent) => postForm(`${serverUrl}/token`, request, true, agent);

export const introspectionRequest = (serverUrl: string, request: RawTokenRequest) => postForm(`${serverUrl}/token/introspection`, request, false);

/** A scope, a role holding it and a client bound to it; answers the client's secret. */
export async function catalogClient(admin: AdminClient, clientId: string, scope = 'catalog.read'): Promise<string> {
  if (!(await admin.get('scopes', scope))) {
    await admin.put('scopes', { name: scope, description: `Can ${scope}`, risk: 'low', external: false, implies: [] } as never, scope);
    await admin.put('roles', { name: 'reader', description: 'Reads', scopes: [scope] } as never, 'reader');
  }
  const { clientSecret } = await admin.put('clients', { clientId, displayName: clientId, owner: 'team' } as never, clientId);
  await admin.put('role-bindings', { name: `${clientId}-reads`, role: 'reader', subjects: [{ clientId }] } as never, `${clientId}-reads`);
  return clientSecret!;
}
