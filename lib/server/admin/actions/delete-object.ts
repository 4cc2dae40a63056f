/** `DELETE /admin/v1/{kind}/{key}`: 204; 404 when absent; 409 while something still names it. */
import { sendEmpty } from '../../http';
import { changeEntry } from '../audit-change';
import { AdminAction } from '../context';
import { absent, checkKey, parseKind } from '../kinds';
import { checkManager, claimOf } from '../ownership';
import { checkIfMatch } from '../preconditions';
import { checkNotHeld } from '../references';

export const deleteObject: AdminAction = ({ store, validator, now }, { req, res, segments, actor }) => {
  const kind = parseKind(segments[0]);
  const key = segments[1];
  checkKey(validator, kind, key);
  const claim = claimOf(req);
  store.transaction(() => {
    const current = store.get(kind, key);
    if (!current) throw absent(kind, key);
    checkIfMatch(req, current);
    checkManager(store, kind, key, claim, 'delete');
    checkNotHeld(store, kind, key);
    store.delete(kind, key);
    if (kind === 'clients') store.deleteSecretHash(key);
    store.appendAudit({ ...changeEntry(now(), actor, 'delete', kind, key, current.value, null), reason: claim.overrideReason });
  });
  sendEmpty(res, 204);
};
