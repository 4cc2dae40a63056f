/** `GET /admin/v1/admin-tokens`: every admin token's name, role, creator and revocation, never a token or its digest. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';

export const listAdminTokens: AdminAction = async ({ adminTokens }, { res }) => {
  sendJson(res, 200, { items: await adminTokens.list() });
};
