/**
 * Asks an OAuth 2.0 authorization server for real tokens with the
 * client-credentials grant. The token endpoint and the client authentication
 * method come from the server's RFC 8414 metadata
 * (`/.well-known/oauth-authorization-server`), so nothing about the server is
 * assumed. A client with keys authenticates with a private_key_jwt assertion
 * (RFC 7523) signed by jose. Used by `verify` and by the main job.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY_POLICY, RetryingFetch } from '../client/retrying-fetch';
import { ServerUnreachableError } from '../client/server-unreachable';
import type { ClientKey } from './client-key';

export interface ServerMetadata {
  issuer: string;
  token_endpoint: string;
  token_endpoint_auth_methods_supported?: string[];
}

/** A token answered (RFC 6749 §5.1), or the server's refusal (§5.2). */
export type TokenResult =
  | { ok: true; scopes: string[]; accessToken: string; expiresIn: number | null }
  | { ok: false; status: number; error: string; description: string | null };

export interface TokenClientOptions {
  /** Per-request timeout. @default 15_000 */
  timeoutMs?: number;
  /** Attempts, the first included, while the server cannot be reached. @default 4 */
  maxAttempts?: number;
}

function retryingFetch(options: TokenClientOptions): RetryingFetch {
  return new RetryingFetch({ ...DEFAULT_RETRY_POLICY, timeoutMs: options.timeoutMs ?? 15_000, maxAttempts: options.maxAttempts ?? 4 });
}

export class TokenClient {
  /** Reads the server's metadata and answers a client for its token endpoint. */
  static async discover(url: string, options: TokenClientOptions = {}): Promise<TokenClient> {
    const base = url.replace(/\/+$/, '');
    const metadataUrl = `${base}/.well-known/oauth-authorization-server`;
    const response = await retryingFetch(options).fetch(metadataUrl, { method: 'GET' });
    const metadata = (await response.json().catch(() => null)) as ServerMetadata | null;
    if (!response.ok || typeof metadata?.token_endpoint !== 'string') {
      throw new ServerUnreachableError(base, new Error(`no OAuth metadata at ${metadataUrl} (HTTP ${response.status})`));
    }
    return new TokenClient(metadata, options);
  }

  private readonly http: RetryingFetch;

  constructor(readonly metadata: ServerMetadata, options: TokenClientOptions = {}) {
    this.http = retryingFetch(options);
  }

  /** Requests a token for `scopes` (none: the server's default for the client), with the client's secret or its private key. */
  async request(clientId: string, credential: string | ClientKey, scopes: readonly string[] = []): Promise<TokenResult> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (typeof credential !== 'string') {
      form.set('client_id', clientId);
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', await this.assertion(clientId, credential));
    } else if (this.usesBasicAuth()) {
      // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(credential)}`).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', credential);
    }
    const response = await this.http.fetch(this.metadata.token_endpoint, { method: 'POST', headers, body: form.toString() });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok && typeof body.access_token === 'string') {
      // RFC 6749 §5.1: `scope` may be left out when it is exactly what was asked.
      const scope = typeof body.scope === 'string' ? body.scope : scopes.join(' ');
      return {
        ok: true,
        scopes: [...new Set(scope.split(' ').filter(Boolean))].sort(),
        accessToken: body.access_token,
        expiresIn: typeof body.expires_in === 'number' ? body.expires_in : null,
      };
    }
    return {
      ok: false,
      status: response.status,
      error: typeof body.error === 'string' ? body.error : `http_${response.status}`,
      description: typeof body.error_description === 'string' ? body.error_description : null,
    };
  }

  /** RFC 7523 §3: issued and subject the client, for this server (its issuer identifier), short-lived, unique. */
  private async assertion(clientId: string, { key, alg, kid }: ClientKey): Promise<string> {
    const { SignJWT } = await import('jose');
    return new SignJWT({})
      .setProtectedHeader(kid ? { alg, kid } : { alg })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(this.metadata.issuer)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(key);
  }

  private usesBasicAuth(): boolean {
    const methods = this.metadata.token_endpoint_auth_methods_supported;
    // RFC 8414: when the list is absent the default is client_secret_basic.
    return !methods || methods.includes('client_secret_basic') || !methods.includes('client_secret_post');
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
