/**
 * `PUT /admin/v1/{kind}/{key}`: creates (201) or replaces (200) an object.
 * Idempotent: the same body again answers 200 and changes nothing (no
 * revision bump, no audit entry). A created client gets its secret, once;
 * a client with public keys (private_key_jwt) never has one.
 */
import { Client, KEY_FIELD, Kind, KindObject } from '../../../model/types';
import { formatProblems } from '../../../model/validate';
import { badRequest } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { canonicalJson } from '../../store/canonical-json';
import { changeEntry } from '../audit-change';
import { settleClientSecret } from '../client-secret';
import { generateSecret } from '../../secrets';
import { AdminAction, AdminContext, AdminRequest } from '../context';
import { NOUN, parseKind } from '../kinds';
import { checkManager, claimOf, managerFor } from '../ownership';
import { checkIfMatch, etagOf } from '../preconditions';
import { checkReferences } from '../references';
import { admit, warningHeader } from '../../admission/admission';
import { AdmissionFinding } from '../../../model/admin-api';

export const putObject: AdminAction = async (context, request) => {
  const kind = parseKind(request.segments[0]);
  const key = request.segments[1];
  const body = await readJsonObject(request.req, context.bodyLimitBytes);
  const value = validateBody(context, kind, key, body);
  const outcome = await write(context, request, kind, key, value);
  const credentials = await context.downstream?.settle(kind === 'clients' ? { clientId: key, candidateSecret: outcome.clientSecret ?? generateSecret() } : undefined);
  // With a downstream, the client uses the downstream's credentials (its own id where it assigns one), delivered once like a secret.
  const secret = credentials ? { clientSecret: credentials.clientSecret, ...(credentials.clientId === key ? {} : { downstreamClientId: credentials.clientId }) } : undefined;
  const clientSecret = secret ?? (outcome.clientSecret === undefined ? {} : { clientSecret: outcome.clientSecret });
  sendJson(request.res, outcome.status, { ...outcome.value, ...clientSecret }, { etag: etagOf(outcome.version), ...warningHeader(outcome.findings) });
};

function validateBody<K extends Kind>(context: AdminContext, kind: K, key: string, body: unknown): KindObject[K] {
  const result = context.validator.validate(kind, body);
  if (!result.ok) {
    throw badRequest(`invalid ${NOUN[kind]}: ${formatProblems(result.problems).replace(/\n/g, '; ')}`, {
      field: result.problems[0].field,
      problems: result.problems,
    });
  }
  const field = KEY_FIELD[kind];
  const bodyKey = (result.value as unknown as Record<string, string>)[field];
  if (bodyKey !== key) {
    throw badRequest(`${field} in the body ('${bodyKey}') must equal the key in the path ('${key}')`, { field });
  }
  return result.value;
}

interface WriteOutcome<K extends Kind> {
  status: 200 | 201;
  value: KindObject[K];
  version: number;
  clientSecret?: string;
  /** Policy findings that did not refuse the write. */
  findings: AdmissionFinding[];
}

/** Checks and writes in one transaction, together with the audit entry. */
async function write<K extends Kind>(
  { store, now, policy, secrets }: AdminContext,
  { req, actor, actorNote, role }: AdminRequest,
  kind: K,
  key: string,
  value: KindObject[K],
): Promise<WriteOutcome<K>> {
  const claim = claimOf(req, role);
  return store.transaction(async (tx): Promise<WriteOutcome<K>> => {
    const current = await tx.get(kind, key);
    checkIfMatch(req, current);
    // Before the idempotent answer: a create must not pass for an object someone else manages, even an equal one.
    if (current) await checkManager(tx, kind, key, claim, 'change');
    if (current && canonicalJson(current.value) === canonicalJson(value)) {
      return { status: 200, value: current.value, version: current.version, findings: [] };
    }
    await checkReferences(tx, kind, key, value);
    const findings = await admit(tx, await policy.current(tx), [{ kind, key, value }], now());
    const version = await tx.put(kind, key, value);
    if (!current) await tx.setManager(kind, key, managerFor(claim, now()));
    await tx.appendAudit({
      ...changeEntry(now(), actor, current ? 'update' : 'create', kind, key, current?.value, value, actorNote),
      reason: current ? claim.overrideReason : null,
    });
    if (kind === 'clients') {
      const clientSecret = await settleClientSecret(tx, secrets, key, current?.value as Client | undefined, value as Client);
      return { status: current ? 200 : 201, value, version, clientSecret, findings };
    }
    return { status: current ? 200 : 201, value, version, findings };
  });
}
