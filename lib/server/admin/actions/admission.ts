/**
 * `POST /admin/v1/admission`: the dry run of admission. The body lists the
 * changes a plan makes together (`{ changes: [{ kind, key, value } |
 * { kind, key, delete: true }] }`); they are judged as one write would be:
 * each object validated, references resolved against the store and the other
 * changes, then the policy over the model as it would be after all of them.
 * Nothing is written. Answers 200 `{ allowed, environment, policyVersion,
 * findings }`; a malformed change is a 400 naming it. An optional `policy`
 * (a policy document for the server's environment) judges the changes as if
 * it were in force: a plan that changes the policy and the objects its new
 * exceptions cover is judged as its apply will be, policy first.
 */
import { ProposedChange } from '../../../model/admin-api';
import { Kind, KEY_FIELD, NOUN } from '../../../model/types';
import { formatProblems } from '../../../model/validate';
import { PolicyDocument, validatePolicy } from '../../../policy';
import { judge, refuses } from '../../admission/admission';
import { proposedPolicy, ServerPolicy } from '../../admission/server-policy';
import { Change, ModelReader } from '../../admission/affected-model';
import { badRequest, ServerError } from '../../errors';
import { readJsonObject, sendJson } from '../../http';
import { AdminAction, AdminContext } from '../context';
import { parseKind } from '../kinds';
import { referenceProblems } from '../references';

/** A plan's changes to one server; more is not one plan's worth of objects a provider sends at once. */
export const MAX_PROPOSED_CHANGES = 1_000;

export const dryRunAdmission: AdminAction = async (context, { req, res }) => {
  const body = await readJsonObject(req, context.bodyLimitBytes);
  const changes = parseChanges(context, body.changes);
  const { store, policy, now } = context;
  const current = proposed(await policy.current(store), body.policy);
  const findings = await store.transaction(async tx => {
    const reader = new ModelReader(tx, changes);
    for (const change of changes) {
      if (change.value === null) continue;
      const missing = await referenceProblems(async (kind, key) => (await reader.get(kind, key)) !== null, change.kind, change.value);
      if (missing.length > 0) {
        const names = missing.map(m => m.missing).join(', ');
        throw new ServerError(422, 'unknown_reference', `${NOUN[change.kind]} '${change.key}' names what neither exists nor is among the changes: ${names}`, {
          field: `changes[${changes.indexOf(change)}].value.${missing[0].field}`,
          problems: missing.map(({ missing: _, ...p }) => p),
        });
      }
    }
    return judge(tx, current, changes, now());
  });
  sendJson(res, 200, { allowed: !findings.some(refuses), environment: current.environment, policyVersion: current.version, findings });
};

function proposed(current: ServerPolicy, input: unknown): ServerPolicy {
  if (input === undefined) return current;
  const result = validatePolicy(input);
  if (!result.ok) {
    throw badRequest(`policy: invalid policy document: ${result.problems.map(p => `${p.field} ${p.message}`.trim()).join('; ')}`, {
      field: 'policy',
      problems: result.problems,
    });
  }
  const document: PolicyDocument = result.value;
  if (document.environment !== current.environment) {
    throw badRequest(`policy: the document is for '${document.environment}', but this server guards '${current.environment}': propose a '${current.environment}' policy`, {
      field: 'policy.environment',
    });
  }
  return proposedPolicy(document, current);
}

function parseChanges({ validator }: AdminContext, input: unknown): Change[] {
  if (!Array.isArray(input)) throw badRequest('the body must be { "changes": [...] }: a list of { kind, key, value } or { kind, key, delete: true }', { field: 'changes' });
  if (input.length > MAX_PROPOSED_CHANGES) throw badRequest(`at most ${MAX_PROPOSED_CHANGES} changes at once, got ${input.length}`, { field: 'changes' });
  const seen = new Set<string>();
  return input.map((raw: ProposedChange, i): Change => {
    const field = `changes[${i}]`;
    if (raw === null || typeof raw !== 'object' || typeof raw.key !== 'string' || typeof raw.kind !== 'string') {
      throw badRequest(`${field} must be { kind, key, value } or { kind, key, delete: true }`, { field });
    }
    const kind: Kind = parseKind(raw.kind);
    const slot = `${kind}/${raw.key}`;
    if (seen.has(slot)) throw badRequest(`${field} changes ${NOUN[kind]} '${raw.key}' a second time: one change per object`, { field });
    seen.add(slot);
    if (raw.delete === true) return { kind, key: raw.key, value: null };
    const result = validator.validate(kind, raw.value);
    if (!result.ok) {
      throw badRequest(`${field}: invalid ${NOUN[kind]}: ${formatProblems(result.problems).replace(/\n/g, '; ')}`, { field, problems: result.problems });
    }
    if ((result.value as unknown as Record<string, unknown>)[KEY_FIELD[kind]] !== raw.key) {
      throw badRequest(`${field}: ${KEY_FIELD[kind]} in the value must equal key '${raw.key}'`, { field });
    }
    return { kind, key: raw.key, value: result.value };
  });
}
