/**
 * `GET /admin/v1/policy` and `PUT /admin/v1/policy`: the policy document the
 * server enforces. PUT validates it with the policy layer's schema (fields
 * left out take the environment's preset; an exception needs a written
 * reason), refuses a document for another environment, and answers the whole
 * document as stored. A stricter policy is accepted even when the store
 * already breaks it: admission then refuses every write that adds a violation,
 * the token endpoint stops issuing what it forbids, and the answer's
 * `x-policy-violations` header counts what the store breaks (listed by
 * `GET /admin/v1/policy/findings`) so that someone fixes it.
 */
import { validatePolicy } from '../../../policy';
import { judgeStore } from '../../admission/admission';
import { badRequest, ServerError } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { canonicalJson } from '../../store/canonical-json';
import { AdminAction } from '../context';
import { checkIfMatch, etagOf } from '../preconditions';

export const getPolicy: AdminAction = async ({ store, policy }, { res }) => {
  const current = await policy.current(store);
  sendJson(res, 200, current.document, { etag: etagOf(current.version) });
};

export const putPolicy: AdminAction = async (context, { req, res, actor }) => {
  const { store, policy, now, bodyLimitBytes } = context;
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
  const version = await store.transaction(async tx => {
    const current = await policy.current(tx);
    checkIfMatch(req, current);
    if (!current.preset && canonicalJson(current.document) === canonicalJson(result.value)) return current.version;
    const next = await tx.setPolicyDocument(result.value);
    await tx.appendAudit({
      at: now().toISOString(),
      actor,
      action: 'policy.update',
      kind: null,
      key: environment,
      before: current.preset ? null : current.document,
      after: result.value,
      clientId: null,
      requestedScopes: null,
      grantedScopes: null,
      reason: null,
    });
    return next;
  });
  const stored = await policy.current(store);
  const violations = (await judgeStore(store, stored, now())).filter(f => f.severity === 'error').length;
  sendJson(res, 200, stored.document, { etag: etagOf(version), 'x-policy-violations': String(violations) });
};

/** `GET /admin/v1/policy/findings`: what the whole store breaks under the policy now (one evaluation of every object). */
export const policyFindings: AdminAction = async ({ store, policy, now }, { res }) => {
  const current = await policy.current(store);
  sendJson(res, 200, { environment: current.environment, policyVersion: current.version, findings: await judgeStore(store, current, now()) });
};
