/**
 * `GET /admin/v1/signing-keys`: the token signing keys still published, their
 * states and when those change (never a private part).
 * `POST /admin/v1/signing-keys` `{ publishDelaySeconds? }`: rotates (see
 * lib/server/signing-keys.ts); the audit log records who rotated and the new kid.
 */
import { SigningKeyRotation } from '../../../model/admin-api';
import { badRequest } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { PUBLISH_DELAY_SECONDS } from '../../signing-keys';
import { AdminAction } from '../context';

export const listSigningKeys: AdminAction = ({ signingKeys }, { res }) => {
  sendJson(res, 200, { items: signingKeys.list() });
};

export const rotateSigningKey: AdminAction = async ({ signingKeys, store, now, bodyLimitBytes }, { req, res, actor, actorNote }) => {
  const body = req.headers['content-type'] ? await readJsonObject(req, bodyLimitBytes) : {};
  const unknown = Object.keys(body).filter(name => name !== 'publishDelaySeconds');
  if (unknown.length > 0) throw badRequest(`unknown field ${unknown[0]}: the only field is publishDelaySeconds`, { field: unknown[0] });
  const delay = body.publishDelaySeconds ?? PUBLISH_DELAY_SECONDS.default;
  const { min, max } = PUBLISH_DELAY_SECONDS;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < min || delay > max) {
    throw badRequest(`publishDelaySeconds must be a whole number of seconds from ${min} to ${max}, got ${JSON.stringify(delay)}`, {
      field: 'publishDelaySeconds',
    });
  }
  const next = await signingKeys.rotate(delay);
  await store.appendAudit({
    at: now().toISOString(),
    actor,
    actorNote,
    action: 'rotate-signing-key',
    kind: null,
    key: next.kid,
    before: null,
    after: { kid: next.kid, activatesAt: next.activatesAt },
    clientId: null,
    requestedScopes: null,
    grantedScopes: null,
    reason: null,
  });
  sendJson(res, 201, { next, keys: signingKeys.list() } satisfies SigningKeyRotation);
};
