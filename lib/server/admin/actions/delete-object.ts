/** `DELETE /admin/v1/{kind}/{key}`: 204; 404 when absent; 409 while something still names it. */
import { sendEmpty } from '../../http';
import { changeEntry } from '../audit-change';
import { AdminAction } from '../context';
import { absent, checkKey, parseKind } from '../kinds';
import { checkManager, claimOf } from '../ownership';
import { checkIfMatch } from '../preconditions';
import { checkNotHeld } from '../references';
import { admit, warningHeader } from '../../admission/admission';

export const deleteObject: AdminAction = ({ store, validator, now, policy }, { req, res, segments, actor, actorNote }) => {
  const kind = parseKind(segments[0]);
  const key = segments[1];
  checkKey(validator, kind, key);
  const claim = claimOf(req);
  const findings = store.transaction(() => {
    const current = store.get(kind, key);
    if (!current) throw absent(kind, key);
    checkIfMatch(req, current);
    checkManager(store, kind, key, claim, 'delete');
    checkNotHeld(store, kind, key);
    const admitted = admit(store, policy.current(), [{ kind, key, value: null }], now());
    store.delete(kind, key);
    if (kind === 'clients') store.deleteSecretHash(key);
    store.appendAudit({ ...changeEntry(now(), actor, 'delete', kind, key, current.value, null, actorNote), reason: claim.overrideReason });
    return admitted;
  });
  sendEmpty(res, 204, warningHeader(findings));
};
