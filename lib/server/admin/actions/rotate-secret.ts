/**
 * `POST /admin/v1/clients/{id}/secret`: replaces the client's secret. The old
 * one stops working at once; the new one is answered this once only. The
 * audit entry records the rotation, never a secret.
 */
import { sendJson } from '../../http';
import { generateSecret } from '../../secrets';
import { changeEntry } from '../audit-change';
import { AdminAction } from '../context';
import { absent, checkKey } from '../kinds';

export const rotateSecret: AdminAction = async ({ store, validator, now, secrets }, { res, segments, actor, actorNote }) => {
  const clientId = segments[1];
  checkKey(validator, 'clients', clientId);
  const clientSecret = generateSecret();
  const hash = secrets.hash(clientSecret);
  await store.transaction(async tx => {
    if (!(await tx.get('clients', clientId))) throw absent('clients', clientId);
    await tx.setSecretHash(clientId, hash);
    await tx.appendAudit(changeEntry(now(), actor, 'rotate-secret', 'clients', clientId, null, null, actorNote));
  });
  sendJson(res, 200, { clientId, clientSecret });
};
