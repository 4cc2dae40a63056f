/** `DELETE /admin/v1/{kind}/{key}`: 204; 404 when absent; 409 while something still names it. */
import { sendEmpty } from '../../http';
import { changeEntry } from '../audit-change';
import { AdminAction } from '../context';
import { absent, checkKey, parseKind } from '../kinds';
import { checkManager, claimOf } from '../ownership';
import { checkIfMatch } from '../preconditions';
import { checkNotHeld } from '../references';
import { admit, warningHeader } from '../../admission/admission';

export const deleteObject: AdminAction = async ({ store, validator, now, policy, downstream }, { req, res, segments, actor, actorNote, role }) => {
  const kind = parseKind(segments[0]);
  const key = segments[1];
  checkKey(validator, kind, key);
  const claim = claimOf(req, role);
  const findings = await store.transaction(async tx => {
    const current = await tx.get(kind, key);
    if (!current) throw absent(kind, key);
    checkIfMatch(req, current);
    await checkManager(tx, kind, key, claim, 'delete');
    await checkNotHeld(tx, kind, key);
    const admitted = await admit(tx, await policy.current(tx), [{ kind, key, value: null }], now());
    await tx.delete(kind, key);
    if (kind === 'clients') await tx.deleteSecretHash(key);
    await tx.appendAudit({ ...changeEntry(now(), actor, 'delete', kind, key, current.value, null, actorNote), reason: claim.overrideReason });
    return admitted;
  });
  await downstream?.settle();
  sendEmpty(res, 204, warningHeader(findings));
};
