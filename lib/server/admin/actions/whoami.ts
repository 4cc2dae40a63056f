/** `GET /admin/v1/token`: the name and role of the admin token that authenticated this request (nothing secret). */
import { sendJson } from '../../http';
import { AdminAction } from '../context';

export const whoami: AdminAction = (_context, { res, actor, role }) => {
  sendJson(res, 200, { name: actor, role });
};
