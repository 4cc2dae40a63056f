/** `GET /admin/v1/snapshot`: every object and the revision, read in one transaction. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';

export const snapshot: AdminAction = async ({ store }, { res }) => {
  const body = await store.snapshot();
  sendJson(res, 200, body, { etag: `"${body.revision}"` });
};
