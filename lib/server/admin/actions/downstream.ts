/** `GET /admin/v1/downstream`: where the push to the downstream server stands (lib/server/downstream/sync.ts). */
import { DownstreamStatus } from '../../../model/admin-api';
import { sendJson } from '../../http';
import { AdminAction } from '../context';

/** Without a downstream the embedded token endpoint reads the store itself: always in sync. */
const EMBEDDED: DownstreamStatus = { kind: 'embedded', inSync: true, lastReconcileAt: null, pending: [], drift: [], failures: [] };

export const downstreamStatus: AdminAction = ({ downstream }, { res }) => {
  sendJson(res, 200, downstream?.status() ?? EMBEDDED);
};
