/** `GET /admin/v1/clients/{id}/effective-scopes`: what the client may ask for now, and through which grants. */
import { effectiveScopes, grantsByClient } from '../../../model/effective-scopes';
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { absent, checkKey } from '../kinds';

export const getEffectiveScopes: AdminAction = async ({ store, validator, now }, { res, segments }) => {
  const clientId = segments[1];
  checkKey(validator, 'clients', clientId);
  if (!(await store.get('clients', clientId))) throw absent('clients', clientId);
  const input = await store.effectiveScopeInput(clientId);
  const at = now();
  sendJson(res, 200, { clientId, scopes: effectiveScopes(clientId, input, at), grants: grantsByClient(input, at, clientId).get(clientId) ?? [] });
};
