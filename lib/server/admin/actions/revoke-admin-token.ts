/** `DELETE /admin/v1/admin-tokens/{name}`: 204; the token is refused from the next request on. The name stays taken. */
import { sendEmpty } from '../../http';
import { AdminAction } from '../context';

export const revokeAdminToken: AdminAction = async ({ adminTokens }, { res, segments, actor, actorNote }) => {
  await adminTokens.revoke(segments[1], actor, actorNote);
  sendEmpty(res, 204);
};
