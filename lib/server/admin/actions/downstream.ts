/**
 * `GET /admin/v1/downstream`: where the push to the downstream server stands (lib/server/downstream/sync.ts).
 * `PUT /admin/v1/downstream/clients/{clientId}` (admin): adopts a client someone else made on the downstream
 * (lib/server/downstream/adopt.ts); the body is what the downstream's kind needs to find it (docs/downstreams.md).
 */
import { DownstreamStatus } from '../../../model/admin-api';
import { ServerError, badRequest } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { AdminAction } from '../context';
import { checkKey } from '../kinds';

/** Without a downstream the embedded token endpoint reads the store itself: always in sync. */
const EMBEDDED: DownstreamStatus = { kind: 'embedded', inSync: true, lastReconcileAt: null, pending: [], drift: [], failures: [], outOfSync: [] };

export const downstreamStatus: AdminAction = ({ downstream }, { res }) => {
  sendJson(res, 200, downstream?.status() ?? EMBEDDED);
};

export const adoptDownstreamClient: AdminAction = async ({ downstream, bodyLimitBytes, validator }, { req, res, segments, query, actor, actorNote }) => {
  checkKey(validator, 'clients', segments[2]);
  if (!downstream) throw new ServerError(409, 'no_downstream', 'this server has no downstream (start it with --downstream <file.json>): there is nothing to adopt from');
  const reference = await readJsonObject(req, bodyLimitBytes);
  const replace = query.get('replace');
  if (replace !== null && replace !== 'true') throw badRequest(`replace must be 'true' when given, got '${replace.slice(0, 20)}'`, { field: 'replace' });
  const adoption = await downstream.adopt({ clientId: segments[2], reference, replace: replace === 'true', actor, actorNote });
  sendJson(res, adoption.adopted ? 201 : 200, adoption);
};
