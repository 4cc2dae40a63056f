/** `GET /admin/v1/revision`: the store's revision alone, which every object write bumps: what CI records beside a plan. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';

export const revision: AdminAction = async ({ store }, { res }) => {
  sendJson(res, 200, { revision: await store.revision() });
};
