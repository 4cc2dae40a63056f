/**
 * Server admission: what the server's policy says about a set of changes,
 * judged on the model as it would be after them (across objects: a role
 * change reaching every client bound to it, two bindings giving one client
 * conflicting duties), with the server's policy and clock.
 *
 * A change is refused for the error findings it introduces: findings the
 * model after it has and the model before it did not. A finding the store
 * already had (a binding from before a policy change, say) is reported as
 * existing and refuses nothing, so that the write fixing one violation is
 * not refused for another; the token endpoint never issues what such a
 * finding forbids. Warnings never refuse.
 */
import { AdmissionFinding } from '../../model/admin-api';
import { NOUN } from '../../model/types';
import { ServerError } from '../errors';
import { ObjectStore } from '../store/store';
import { affectedModel, AdmissionStore, Change } from './affected-model';
import { ServerPolicy } from './server-policy';

/** Every finding about the part of the model the changes reach, marked existing when the store already had it. */
export async function judge(store: AdmissionStore, policy: ServerPolicy, changes: readonly Change[], now: Date): Promise<AdmissionFinding[]> {
  const { before, after } = await affectedModel(store, changes);
  const had = new Set(policy.evaluate(before, now).map(identity));
  return policy.evaluate(after, now).map(f => ({ ...f, existing: had.has(identity(f)) }));
}

/** Every finding about the whole store as it stands (all existing): what a new policy finds, for the operator. */
export async function judgeStore(store: ObjectStore, policy: ServerPolicy, now: Date): Promise<AdmissionFinding[]> {
  const { revision: _, ...model } = await store.snapshot();
  return policy.evaluate(model, now).map(f => ({ ...f, existing: true }));
}

/** The error code of a write the policy refuses; its `findings` (in `extra`) name the rules. */
export const POLICY_VIOLATION = 'policy_violation';

/** Refuses (422, nothing written) a write that introduces an error finding; answers the findings that do not refuse it. */
export async function admit(store: AdmissionStore, policy: ServerPolicy, changes: readonly Change[], now: Date): Promise<AdmissionFinding[]> {
  const findings = await judge(store, policy, changes, now);
  const refusing = findings.filter(refuses);
  if (refusing.length === 0) return findings;
  const what = changes.map(c => `${c.value === null ? 'deleting' : 'writing'} ${NOUN[c.kind]} '${c.key}'`).join(', ');
  throw new ServerError(
    422,
    POLICY_VIOLATION,
    `the '${policy.environment}' policy refuses ${what}; nothing was written:\n` + refusing.map(describe).join('\n'),
    { extra: { environment: policy.environment, policyVersion: policy.version, findings } },
  );
}

export function refuses(finding: AdmissionFinding): boolean {
  return finding.severity === 'error' && !finding.existing;
}

/** One line a person reads: rule id, the objects involved, what is wrong and what to do. */
export function describe(finding: AdmissionFinding): string {
  const objects = finding.objects.map(o => `${NOUN[o.kind]} '${o.key}'`).join(', ');
  return `  ${finding.ruleId} [${objects}]: ${finding.message}`;
}

/** Two evaluations report the same finding with the same rule, objects and message. */
function identity(finding: Omit<AdmissionFinding, 'existing'>): string {
  return JSON.stringify([finding.ruleId, finding.objects, finding.message]);
}

/**
 * The findings a write did not refuse, for the `x-policy-warnings` header of its answer: rule ids and the
 * objects involved (names are ASCII by the model's schemas), the full text being in the dry run's answer.
 */
export function warningHeader(findings: readonly AdmissionFinding[]): Record<string, string> {
  const fresh = findings.filter(f => !f.existing);
  if (fresh.length === 0) return {};
  return { 'x-policy-warnings': fresh.map(f => `${f.ruleId} (${f.objects.map(o => `${NOUN[o.kind]} '${o.key}'`).join(', ')})`).join('; ') };
}
