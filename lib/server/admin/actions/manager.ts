/**
 * `GET /admin/v1/{kind}/{key}/manager`: which Terraform resource manages the
 * object (`{ manager: null }` when none does): the digest of its id and since
 * when, and, to admin tokens only, its label (a directory, a host).
 *
 * `PUT /admin/v1/{kind}/{key}/manager` with `X-Manager: <new id>` (and
 * `X-Manager-Label`): adopts the object, what `terraform import` does. The
 * new manager replaces any previous one, which from then on can neither
 * change nor delete the object; the audit entry records both. Idempotent:
 * the same id again changes nothing.
 */
import { sendJson } from '../../http';
import { MANAGER_HEADER } from '../../../model/ownership';
import { badRequest } from '../../errors';
import { changeEntry } from '../audit-change';
import { AdminAction } from '../context';
import { absent, checkKey, parseKind } from '../kinds';
import { answeredManager, claimOf, managerFor } from '../ownership';

export const getManager: AdminAction = async ({ store, validator }, { res, segments, role }) => {
  const kind = parseKind(segments[0]);
  const key = segments[1];
  checkKey(validator, kind, key);
  if (!(await store.get(kind, key))) throw absent(kind, key);
  const manager = await store.managerOf(kind, key);
  sendJson(res, 200, { manager: manager && answeredManager(manager, role) });
};

export const adoptObject: AdminAction = async ({ store, validator, now }, { req, res, segments, actor, role }) => {
  const kind = parseKind(segments[0]);
  const key = segments[1];
  checkKey(validator, kind, key);
  const claim = claimOf(req, role);
  const manager = managerFor(claim, now());
  if (!manager) throw badRequest(`send the new manager id in ${MANAGER_HEADER}`, { field: MANAGER_HEADER });
  const answer = await store.transaction(async tx => {
    if (!(await tx.get(kind, key))) throw absent(kind, key);
    const previous = await tx.managerOf(kind, key);
    if (previous?.digest === manager.digest) return previous;
    await tx.setManager(kind, key, manager);
    const entry = changeEntry(now(), actor, 'adopt', kind, key, previous && { manager: previous.label, since: previous.since }, { manager: manager.label });
    await tx.appendAudit(entry);
    return manager;
  });
  sendJson(res, 200, { manager: answeredManager(answer, role) });
};
