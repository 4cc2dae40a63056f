/**
 * `POST /admin/v1/clients/{id}/secret`: replaces the client's secret. The old
 * one stops working at once; the new one is answered this once only. A client
 * with public keys (private_key_jwt) has no secret: refused with 409. The
 * audit entry records the rotation, never a secret.
 */
import { clientAuthentication } from '../../../model/types';
import { ServerError } from '../../errors';
import { sendJson } from '../../http';
import { generateSecret } from '../../secrets';
import { changeEntry } from '../audit-change';
import { AdminAction } from '../context';
import { absent, checkKey } from '../kinds';

export const rotateSecret: AdminAction = async ({ store, validator, now, secrets, downstream }, { res, segments, actor, actorNote }) => {
  const clientId = segments[1];
  checkKey(validator, 'clients', clientId);
  if (downstream) {
    throw new ServerError(
      409,
      'downstream_credentials',
      `client '${clientId}' gets its tokens from the ${downstream.status().kind} downstream, which holds its credentials: a secret rotated here would change nothing there. ` +
        'Replace the client (terraform apply -replace=<its address>) to get new downstream credentials',
    );
  }
  const clientSecret = generateSecret();
  const hash = secrets.hash(clientSecret);
  await store.transaction(async tx => {
    const client = (await tx.get('clients', clientId))?.value;
    if (!client) throw absent('clients', clientId);
    if (clientAuthentication(client) === 'private_key_jwt') {
      throw new ServerError(
        409,
        'no_secret',
        `client '${clientId}' authenticates with private_key_jwt (its ${client.jwks ? 'jwks' : 'jwksUri'}) and has no secret to rotate: ` +
          `rotate its keys instead, by changing its jwks (or the keys its jwksUri serves)`,
      );
    }
    await tx.setSecretHash(clientId, hash);
    await tx.appendAudit(changeEntry(now(), actor, 'rotate-secret', 'clients', clientId, null, null, actorNote));
  });
  sendJson(res, 200, { clientId, clientSecret });
};
