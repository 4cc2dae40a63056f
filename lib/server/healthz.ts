/** `GET /healthz`: answers once the store is readable; no token needed, nothing secret in it. */
import { ServerResponse } from 'node:http';
import { sendJson } from './http';
import { Store } from './store/store';

export async function healthz(store: Store, res: ServerResponse): Promise<void> {
  sendJson(res, 200, { status: 'ok', revision: await store.revision() });
}
