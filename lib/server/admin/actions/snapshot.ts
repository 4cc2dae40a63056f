/** `GET /admin/v1/snapshot`: every object and the revision, read in one transaction; managers as the caller's role may see them. */
import { ManagerIndex } from '../../../model/ownership';
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { answeredManager } from '../ownership';

export const snapshot: AdminAction = async ({ store }, { res, role }) => {
  const body = await store.snapshot();
  const managers = body.managers && (Object.fromEntries(
    Object.entries(body.managers).map(([kind, byKey]) => [kind, Object.fromEntries(Object.entries(byKey).map(([key, m]) => [key, answeredManager(m, role)]))]),
  ) as ManagerIndex);
  sendJson(res, 200, { ...body, managers }, { etag: `"${body.revision}"` });
};
