/**
 * The part of oidc-provider's API this server uses. The package ships no
 * type declarations; these describe only what we call, so a breaking change
 * there shows up here.
 */
declare module 'oidc-provider' {
  import { IncomingMessage, ServerResponse } from 'node:http';

  export interface OidcClient {
    clientId: string;
    clientSecret?: string;
    compareClientSecret(actual: string): boolean | Promise<boolean>;
  }

  export interface OidcContext {
    oidc: {
      client?: OidcClient;
      /** A parameter registered as a dupe (`resource`) may hold several values. */
      params?: Record<string, string | undefined>;
      route?: string;
    };
    headers: Record<string, string | undefined>;
    body: unknown;
    /** Koa's response status and header setter. */
    status: number;
    set(name: string, value: string): void;
    req: IncomingMessage;
  }

  export interface AdapterPayload {
    [key: string]: unknown;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly Client: { prototype: OidcClient };
    /** The context of the request being handled (oidc-provider keeps it in an AsyncLocalStorage). */
    static readonly ctx: OidcContext | undefined;
    /** Trust `X-Forwarded-Proto`/`-Host` (koa's `app.proxy`). */
    proxy: boolean;
    registerGrantType(name: string, handler: (ctx: OidcContext) => Promise<void>, params?: string[], dupes?: string[]): void;
    use(middleware: (ctx: OidcContext, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'grant.error', listener: (ctx: OidcContext, error: OidcError) => void): this;
    on(event: 'server_error', listener: (ctx: OidcContext, error: Error) => void): this;
  }

  export interface OidcError extends Error {
    error: string;
    error_description?: string;
    status: number;
  }

  export const errors: {
    InvalidScope: new (description: string, scope: string) => OidcError;
    InvalidTarget: new (description?: string) => OidcError;
    InvalidRequest: new (description?: string) => OidcError;
    UnauthorizedClient: new (description?: string) => OidcError;
    InvalidClientAuth: new (description: string) => OidcError;
  };

  export default Provider;
}

/** oidc-provider's keystore initializer (internal; see provider-keys.ts): replaces the provider's keys and JWKS. */
declare module 'oidc-provider/lib/helpers/initialize_keystore.js' {
  import type { Provider } from 'oidc-provider';
  export default function initializeKeystore(this: Provider, jwks: { keys: object[] }): void;
}
