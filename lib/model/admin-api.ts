/**
 * The admin API's wire types: what its endpoints answer besides the model
 * objects themselves. Here, low in the layers, so that the server that
 * answers them and the client that reads them share one definition.
 */
import { Grant } from './effective-scopes';
import { Kind } from './types';

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Versioned<T> {
  value: T;
  etag: string | null;
}

export interface ClientSecret {
  clientId: string;
  clientSecret: string;
}

export interface EffectiveScopes {
  clientId: string;
  scopes: string[];
  grants: Grant[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  kind: Kind | null;
  key: string | null;
  before: unknown;
  after: unknown;
  clientId: string | null;
  requestedScopes: string[] | null;
  grantedScopes: string[] | null;
  reason: string | null;
}

export interface UsageEntry {
  clientId: string;
  scope: string;
  lastUsedAt: string;
}

export interface AuditQuery {
  kind?: Kind;
  key?: string;
  actor?: string;
  action?: string;
  clientId?: string;
  since?: string;
  until?: string;
  limit?: number;
  after?: string;
}
