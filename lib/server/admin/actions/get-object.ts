/** `GET /admin/v1/{kind}/{key}`: the object and its ETag. */
import { sendJson } from '../../http';
import { AdminAction } from '../context';
import { absent, checkKey, parseKind } from '../kinds';
import { etagOf } from '../preconditions';

export const getObject: AdminAction = async ({ store, validator }, { res, segments }) => {
  const kind = parseKind(segments[0]);
  const key = segments[1];
  checkKey(validator, kind, key);
  const current = await store.get(kind, key);
  if (!current) throw absent(kind, key);
  sendJson(res, 200, current.value, { etag: etagOf(current.version) });
};
