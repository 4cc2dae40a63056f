/** What every admin action receives: the server's parts and the parsed request. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ModelValidator } from '../../model/validate';
import { PolicyHolder } from '../admission/server-policy';
import { Store } from '../store/store';

export interface AdminContext {
  store: Store;
  validator: ModelValidator;
  now: () => Date;
  bodyLimitBytes: number;
  /** The policy every write is admitted against. */
  policy: PolicyHolder;
}

export interface AdminRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path segments after `/admin/v1/`, URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Who is making the change, from `x-actor`; recorded in the audit log. */
  actor: string;
}

export type AdminAction = (context: AdminContext, request: AdminRequest) => Promise<void> | void;
