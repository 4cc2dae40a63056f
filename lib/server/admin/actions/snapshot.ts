/** `GET /admin/v1/snapshot`: every object and the revision, read in one transaction. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';

export const snapshot: AdminAction = ({ store }, { res }) => {
  const body = store.snapshot();
  sendJson(res, 200, body, { etag: `"${body.revision}"` });
};
