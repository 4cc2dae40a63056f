/**
 * Adopting a client someone else made on the downstream: the explicit import
 * through which the control plane takes ownership of it (`PUT
 * /admin/v1/downstream/clients/{clientId}`, admin role). Until then such a
 * client is never read, changed or deleted, and creating ours under the same
 * id is refused with the hint `adoptHint` gives.
 *
 * The model client must exist first: an ownership record without one would be
 * read as a client the model dropped, and deleted. The record keeps what the
 * downstream held at adoption as "last pushed", so the next pass pushes the
 * model's scopes over it as an ordinary change (removals first), not as drift.
 * Idempotent: adopting the same downstream client again changes nothing.
 *
 * A server that assigns client ids (rfc7592) never clashes: applying the
 * model client registers a new one there. To manage an existing registration
 * instead, adopt it with `replace`: the registration the control plane made is
 * deleted there first (its credentials stop working), then the adopted one is
 * recorded. Without `replace` that is refused, naming the flag.
 */
import { DownstreamAdoption } from '../../model/admin-api';
import { ServerError, badRequest, notFound } from '../errors';
import { Store } from '../store/store';
import { DownstreamAdapter, DownstreamError } from './adapter';

/** What a refusal of a clashing client id tells the person: the way to adopt it, and the alternatives. */
export function adoptHint(clientId: string): string {
  return (
    `client '${clientId}' already exists on the downstream and the control plane did not create it, so it was left untouched. ` +
    `To manage it from here, adopt it: procurement-scopes downstream adopt ${clientId} (PUT /admin/v1/downstream/clients/${clientId} with an admin token; docs/downstreams.md), then apply again. ` +
    'Otherwise delete or rename it there, or give ours another client id'
  );
}

export async function adoptClient(
  { store, adapter, downstreamId }: { store: Store; adapter: DownstreamAdapter; downstreamId: string },
  request: { clientId: string; reference: Readonly<Record<string, unknown>>; replace: boolean; actor: string; actorNote: string | null; at: Date },
): Promise<DownstreamAdoption> {
  const { clientId } = request;
  if (!(await store.get('clients', clientId))) {
    throw notFound(`no client '${clientId}' in the control plane: declare it and apply first (its apply is refused while the downstream holds a client of that id), then adopt`);
  }
  let found: Awaited<ReturnType<DownstreamAdapter['adopt']>>;
  try {
    found = await adapter.adopt(clientId, request.reference);
  } catch (e) {
    if (!(e instanceof DownstreamError)) throw e;
    if (e.reason === 'invalid') throw badRequest(e.message);
    throw new ServerError(e.reason === 'unreachable' ? 502 : 422, e.reason === 'unreachable' ? 'downstream_unreachable' : 'downstream_not_found', e.message);
  }
  const { owned, remote } = found;
  const held = remote.enabled ? remote.scopes : [];
  const records = await store.downstreamClients(downstreamId);
  const mine = records.find(r => r.clientId === clientId);
  if (mine?.remoteId === owned.remoteId) return { clientId, remoteId: owned.remoteId, adopted: false, held };
  const other = records.find(r => r.remoteId === owned.remoteId);
  if (other) throw new ServerError(409, 'downstream_owned', `that downstream client (${owned.remoteId}) already belongs to client '${other.clientId}': nothing adopted`);
  if (mine && !request.replace) {
    throw new ServerError(
      409,
      'downstream_owned',
      `client '${clientId}' already has a downstream client the control plane made (${mine.remoteId}): adopting another one deletes that one there (its credentials stop working); ` +
        'to do so, adopt again with --replace (?replace=true)',
    );
  }
  if (mine) {
    try {
      await adapter.delete(mine);
    } catch (e) {
      throw new ServerError(502, 'downstream_unreachable', `${(e as Error).message}: nothing adopted`);
    }
  }
  return store.transaction(async tx => {
    await tx.putDownstreamClient(downstreamId, { ...owned, pushed: held });
    // The reference may carry a secret (a registration access token): the audit keeps the downstream id alone.
    await tx.appendAudit({
      at: request.at.toISOString(),
      actor: request.actor,
      actorNote: request.actorNote,
      action: 'downstream.adopt',
      kind: 'clients',
      key: clientId,
      before: mine ? { remoteId: mine.remoteId, scopes: mine.pushed } : null,
      after: { remoteId: owned.remoteId, scopes: held },
      clientId,
      requestedScopes: null,
      grantedScopes: null,
      reason: `adopted from the ${adapter.kind} downstream: managed by the control plane from now on${mine ? '; the client it made before was deleted there' : ''}`,
    });
    return { clientId, remoteId: owned.remoteId, adopted: true, held };
  });
}
