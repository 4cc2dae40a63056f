/**
 * Raw requests to the token endpoint and introspection, for tests of what
 * stands in front of them (limits, refusals, floods): any client id, secret,
 * scope or body, with the status, the Retry-After and the OAuth error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export async function postForm(url: string, request: RawTokenRequest, grant = true): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (request.basic) {
    const [id, secret] = request.basic.map(encodeURIComponent);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  const body = new URLSearchParams({ ...(grant ? { grant_type: 'client_credentials' } : {}), ...request.form });
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as RawAnswer['body'] };
}

export const tokenRequest = (serverUrl: string, request: RawTokenRequest) => postForm(`${serverUrl}/token`, request);

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

/** The store's files in a data directory (the database, its WAL), read together: to search for what must never be stored. */
export function storeContent(dataDir: string): Buffer {
  const files = ['store.sqlite', 'store.sqlite-wal'].map(name => join(dataDir, name)).filter(existsSync);
  return Buffer.concat(files.map(file => readFileSync(file)));
}
