/**
 * What a guardrail rule is: a small pure function over a plain-data view of
 * one authorization (the guardrail model), registered with a stable id, a
 * default severity, a one-line finding and an explanation with the fix.
 */
import { Client, Grant, isExpired, Role, RoleBinding, Scope } from '../../model';
import { ProcurementPolicy } from './policy';

export type Severity = 'error' | 'warning';

/** An object the guardrails look at, with the construct path that findings about it name. */
export interface Declared<T> {
  readonly path: string;
  readonly value: T;
  /** Referenced with `fromXxx` (exists on the server, not owned by this code): only its key is known. */
  readonly imported: boolean;
}

export type KnownScope = Pick<Scope, 'name'> & Partial<Scope>;
export type KnownRole = Pick<Role, 'name'> & Partial<Role>;
export type KnownClient = Pick<Client, 'clientId'> & Partial<Client>;

/** Plain data: everything one authorization declares or references. */
export interface GuardrailModel {
  /** Path of the authorization itself, for findings about no single object. */
  readonly path: string;
  readonly scopes: readonly Declared<KnownScope>[];
  readonly roles: readonly Declared<KnownRole>[];
  readonly clients: readonly Declared<KnownClient>[];
  readonly roleBindings: readonly Declared<RoleBinding>[];
}

export interface RuleContext {
  readonly model: GuardrailModel;
  readonly policy: ProcurementPolicy;
  readonly now: Date;
}

export interface Violation {
  /** Construct path of the object at fault. */
  readonly path: string;
  /** What is wrong in the user's terms, the values involved, and what to do. */
  readonly message: string;
}

/** A rule answers its violations (none = compliant) or that it does not apply under this policy. */
export type RuleOutcome = readonly Violation[] | 'not-applicable';

export interface GuardrailRule {
  /** Stable id, shown in every finding and used by suppressions and policy severities. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what the rule enforces. */
  readonly finding: string;
  /** Why it matters and how to fix a violation. */
  readonly explanation: string;
  readonly check: (context: RuleContext) => RuleOutcome;
}

/**
 * The grants of every client, before implications, from one pass over all
 * bindings (the same meaning as the model's `grantsOf`, indexed by client so
 * that 1,000 clients do not each scan every binding). Expired subjects grant nothing.
 */
export function grantsByClient(context: RuleContext): Map<string, Grant[]> {
  const roleScopes = new Map(context.model.roles.map(r => [r.value.name, r.value.scopes ?? []]));
  const byClient = new Map<string, Grant[]>();
  for (const { value: binding } of context.model.roleBindings) {
    for (const subject of binding.subjects) {
      if (isExpired(subject.expiresAt, context.now)) continue;
      const list = byClient.get(subject.clientId) ?? [];
      for (const scope of roleScopes.get(binding.role) ?? []) {
        list.push({ scope, role: binding.role, binding: binding.name, expiresAt: subject.expiresAt });
      }
      byClient.set(subject.clientId, list);
    }
  }
  return byClient;
}

/** The scopes with their implications, in the shape the model's `withImplied` reads. */
export function implications(model: GuardrailModel): Pick<Scope, 'name' | 'implies'>[] {
  return model.scopes.map(s => ({ name: s.value.name, implies: s.value.implies ?? [] }));
}

/** Where a finding about a client belongs: its own construct, else the first binding that names it. */
export function clientPath(context: RuleContext, clientId: string): string {
  const client = context.model.clients.find(c => c.value.clientId === clientId);
  if (client) return client.path;
  const binding = context.model.roleBindings.find(b => b.value.subjects.some(s => s.clientId === clientId));
  return binding?.path ?? context.model.path;
}

export function describeGrant(grant: Grant): string {
  return `${grant.scope} (role ${grant.role} via binding ${grant.binding})`;
}
