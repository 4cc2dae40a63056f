/** What every admin action receives: the server's parts and the parsed request. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ModelValidator } from '../../model/validate';
import { PolicyHolder } from '../admission/server-policy';
import { AdminRole } from '../../model/admin-api';
import { AdminTokens } from '../admin-tokens';
import { ClientSecrets } from '../secrets';
import { SigningKeys } from '../signing-keys';
import { Store } from '../store/store';
import { DownstreamSync } from '../downstream/sync';

export interface AdminContext {
  store: Store;
  adminTokens: AdminTokens;
  validator: ModelValidator;
  now: () => Date;
  bodyLimitBytes: number;
  /** The policy every write is admitted against. */
  policy: PolicyHolder;
  /** Hashes the secrets of new clients and rotations. */
  secrets: ClientSecrets;
  /** The token signing keys (rotation, listing). */
  signingKeys: SigningKeys;
  /** The push to the downstream server, when there is one: every write waits for it (see downstream/sync.ts). */
  downstream: DownstreamSync | null;
}

export interface AdminRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path segments after `/admin/v1/`, URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Who is making the change: the name of the admin token the request authenticated with; the audit log's actor. */
  actor: string;
  /** The role of that token. */
  role: AdminRole;
  /** What the caller said about itself in `x-actor` (bounded, unverified): recorded beside the actor, never trusted as identity. */
  actorNote: string | null;
}

export type AdminAction = (context: AdminContext, request: AdminRequest) => Promise<void> | void;
