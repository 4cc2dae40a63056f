/** `GET /admin/v1/usage?clientId=`: the last time each client was granted each scope. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';

export const usage: AdminAction = async ({ store }, { res, query }) => {
  sendJson(res, 200, { items: await store.usage(query.get('clientId') ?? undefined) });
};
