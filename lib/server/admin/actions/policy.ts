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

/** `x-policy-source`: `preset` while the environment's recommended preset applies, `stored` once a document was PUT. */
export const getPolicy: AdminAction = ({ policy }, { res }) => {
  const current = policy.current();
  sendJson(res, 200, current.document, { etag: etagOf(current.version), 'x-policy-source': current.preset ? 'preset' : 'stored' });
};

export const putPolicy: AdminAction = async (context, { req, res, actor }) => {
  const { policy, bodyLimitBytes } = context;
  const body = await readJsonObject(req, bodyLimitBytes);
  const result = validatePolicy(body);
  if (!result.ok) {
    throw badRequest(`invalid policy: ${result.problems.map(p => `${p.field} ${p.message}`.trim()).join('; ')}`, {
      field: result.problems[0].field,
      problems: result.problems,
    });
  }
  const environment = policy.current().environment;
  if (result.value.environment !== environment) {
    throw new ServerError(422, 'wrong_environment', `the policy is for '${result.value.environment}' but this server guards '${environment}': set environment to '${environment}'`, {
      field: 'environment',
    });
  }
  const version = context.store.transaction(() => storePolicy(context, req, actor, result.value));
  answerStored(context, res, version);
};

/**
 * `DELETE /admin/v1/policy`: the environment's recommended preset applies again (what a fresh server enforces);
 * the stored document goes, audited like a PUT. Answers the preset. Deleting while the preset applies changes nothing.
 */
export const deletePolicy: AdminAction = (context, { req, res, actor }) => {
  const version = context.store.transaction(() => storePolicy(context, req, actor, null));
  answerStored(context, res, version);
};

/** Stores `document` (null: back to the preset) unless it is what applies already; answers the version that applies. */
function storePolicy({ store, policy, now }: AdminContext, req: IncomingMessage, actor: string, document: PolicyDocument | null): number {
  const current = policy.current();
  checkIfMatch(req, current);
  const unchanged = document === null ? current.preset : !current.preset && canonicalJson(current.document) === canonicalJson(document);
  if (unchanged) return current.version;
  const next = store.setPolicyDocument(document);
  store.appendAudit({
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

function answerStored({ store, policy, now }: AdminContext, res: ServerResponse, version: number): void {
  const stored = policy.current();
  const violations = judgeStore(store, stored, now()).filter(f => f.severity === 'error').length;
  sendJson(res, 200, stored.document, {
    etag: etagOf(version),
    'x-policy-source': stored.preset ? 'preset' : 'stored',
    'x-policy-violations': String(violations),
  });
}

/** `GET /admin/v1/policy/findings`: what the whole store breaks under the policy now (one evaluation of every object). */
export const policyFindings: AdminAction = ({ store, policy, now }, { res }) => {
  const current = policy.current();
  sendJson(res, 200, { environment: current.environment, policyVersion: current.version, findings: judgeStore(store, current, now()) });
};
