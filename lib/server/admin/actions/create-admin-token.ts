/**
 * `POST /admin/v1/admin-tokens` with `{ name, role }`: 201 and the new token,
 * shown this once (only its digest is kept). Not a PUT: creating a token is
 * not idempotent, and a name is never reused.
 */
import { ADMIN_ROLES, AdminRole } from '../../../model/admin-api';
import { badRequest } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { AdminAction } from '../context';

export const createAdminToken: AdminAction = async ({ adminTokens, bodyLimitBytes }, { req, res, actor, actorNote }) => {
  const body = await readJsonObject(req, bodyLimitBytes);
  const unknown = Object.keys(body).filter(k => k !== 'name' && k !== 'role');
  if (unknown.length) throw badRequest(`unknown field '${unknown[0].slice(0, 80)}': an admin token has only name and role`, { field: unknown[0].slice(0, 80) });
  if (typeof body.name !== 'string') throw badRequest('name is required: a string such as ci-plan', { field: 'name' });
  if (!ADMIN_ROLES.includes(body.role as AdminRole)) {
    throw badRequest(`role must be one of ${ADMIN_ROLES.join(', ')}, got ${JSON.stringify(body.role ?? null)}`, { field: 'role' });
  }
  sendJson(res, 201, await adminTokens.create(body.name, body.role as AdminRole, actor, actorNote));
};
