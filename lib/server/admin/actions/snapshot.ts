/**
 * `GET /admin/v1/snapshot`: every object and the revision, read in one transaction; managers as the caller's role
 * may see them; with a downstream, the clients it does not hold as the model wants (plans show them).
 */
import { ManagerIndex } from '../../../model/ownership';
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { answeredManager } from '../ownership';

export const snapshot: AdminAction = async ({ store, downstream }, { res, role }) => {
  const body = await store.snapshot();
  const managers = body.managers && (Object.fromEntries(
    Object.entries(body.managers).map(([kind, byKey]) => [kind, Object.fromEntries(Object.entries(byKey).map(([key, m]) => [key, answeredManager(m, role)]))]),
  ) as ManagerIndex);
  const status = downstream?.status();
  sendJson(res, 200, { ...body, managers, ...(status ? { downstream: { kind: status.kind, outOfSync: status.outOfSync } } : {}) }, { etag: `"${body.revision}"` });
};
