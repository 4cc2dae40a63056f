/**
 * `GET`, `PUT` and `DELETE /admin/v1/policy`: the policy document the server
 * enforces (DELETE: back to the environment's recommended preset). PUT validates it with the policy layer's schema (fields
 * left out take the environment's preset; an exception needs a written
 * reason), refuses a document for another environment, and answers the whole
 * document as stored. A stricter policy is accepted even when the store
 * already breaks it: admission then refuses every write that adds a violation,
 * the token endpoint stops issuing what it forbids, and the answer's
 * `x-policy-violations` header counts what the store breaks (listed by
 * `GET /admin/v1/policy/findings`) so that someone fixes it.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { PolicyDocument, validatePolicy } from '../../../policy';
import { judgeStore } from '../../admission/admission';
import { badRequest, ServerError } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { canonicalJson } from '../../../model/canonical-json';
import { AdminAction, AdminContext } from '../context';
import { checkIfMatch, etagOf } from '../preconditions';
import { StoreTransaction } from '../../store/store';

/** `x-policy-source`: `preset` while the environment's recommended preset applies, `stored` once a document was PUT. */
export const getPolicy: AdminAction = async ({ store, policy }, { res }) => {
  const current = await policy.current(store);
  sendJson(res, 200, current.document, { etag: etagOf(current.version), 'x-policy-source': current.preset ? 'preset' : 'stored' });
};

export const putPolicy: AdminAction = async (context, { req, res, actor }) => {
  const { store, policy, bodyLimitBytes } = context;
  const body = await readJsonObject(req, bodyLimitBytes);
  const result = validatePolicy(body);
  if (!result.ok) {
    throw badRequest(`invalid policy: ${result.problems.map(p => `${p.field} ${p.message}`.trim()).join('; ')}`, {
      field: result.problems[0].field,
      problems: result.problems,
    });
  }
  const environment = (await policy.current(store)).environment;
  if (result.value.environment !== environment) {
    throw new ServerError(422, 'wrong_environment', `the policy is for '${result.value.environment}' but this server guards '${environment}': set environment to '${environment}'`, {
      field: 'environment',
    });
  }
  const version = await context.store.transaction(tx => storePolicy(context, tx, req, actor, result.value));
  await context.downstream?.settle();
  await answerStored(context, res, version);
};

/**
 * `DELETE /admin/v1/policy`: the environment's recommended preset applies again (what a fresh server enforces);
 * the stored document goes, audited like a PUT. Answers the preset. Deleting while the preset applies changes nothing.
 */
export const deletePolicy: AdminAction = async (context, { req, res, actor }) => {
  const version = await context.store.transaction(tx => storePolicy(context, tx, req, actor, null));
  await context.downstream?.settle();
  await answerStored(context, res, version);
};

/** Stores `document` (null: back to the preset) unless it is what applies already; answers the version that applies. */
async function storePolicy({ policy, now }: AdminContext, tx: StoreTransaction, req: IncomingMessage, actor: string, document: PolicyDocument | null): Promise<number> {
  const current = await policy.current(tx);
  checkIfMatch(req, current);
  const unchanged = document === null ? current.preset : !current.preset && canonicalJson(current.document) === canonicalJson(document);
  if (unchanged) return current.version;
  const next = await tx.setPolicyDocument(document);
  await tx.appendAudit({
    at: now().toISOString(),
    actor,
    action: document === null ? 'policy.delete' : 'policy.update',
    kind: null,
    key: current.environment,
    before: current.preset ? null : current.document,
    after: document,
    clientId: null,
    requestedScopes: null,
    grantedScopes: null,
    reason: null,
  });
  return next;
}

async function answerStored({ store, policy, now }: AdminContext, res: ServerResponse, version: number): Promise<void> {
  const stored = await policy.current(store);
  const violations = (await judgeStore(store, stored, now())).filter(f => f.severity === 'error').length;
  sendJson(res, 200, stored.document, {
    etag: etagOf(version),
    'x-policy-source': stored.preset ? 'preset' : 'stored',
    'x-policy-violations': String(violations),
  });
}

/** `GET /admin/v1/policy/findings`: what the whole store breaks under the policy now (one evaluation of every object). */
export const policyFindings: AdminAction = async ({ store, policy, now }, { res }) => {
  const current = await policy.current(store);
  sendJson(res, 200, { environment: current.environment, policyVersion: current.version, findings: await judgeStore(store, current, now()) });
};
