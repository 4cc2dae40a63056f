/** Builders for policy tests: model objects in one line each, judged against a fixed clock. */
import { Client, Risk, Role, RoleBinding, Scope } from '../../lib/model';
import { evaluatePolicy, Finding, findingText, PolicyModel, PolicyOverrides, recommendedPolicy } from '../../lib/policy';

export const NOW = new Date('2026-03-01T12:00:00Z');
export const DAY_MS = 86_400_000;

export const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString().replace('.000Z', 'Z');

export function scope(name: string, risk: Risk = 'low', extra: Partial<Scope> = {}): Scope {
  return { name, description: `${name}.`, risk, external: false, implies: [], ...extra };
}

export function role(name: string, scopes: string[]): Role {
  return { name, description: `${name}.`, scopes };
}

export function client(clientId: string, extra: Partial<Client> = {}): Client {
  return { clientId, displayName: clientId, owner: 'team', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 3600, secretRotationDays: 90, ...extra };
}

/** A binding of `roleName` to clients: a client id alone, or [id, expiresAt, justification]. */
export function binding(name: string, roleName: string, ...subjects: (string | [string, string | null, string | null])[]): RoleBinding {
  return {
    name,
    role: roleName,
    subjects: subjects.map(s => (typeof s === 'string' ? { clientId: s, expiresAt: null, justification: null } : { clientId: s[0], expiresAt: s[1], justification: s[2] })),
  };
}

export function model(parts: Partial<PolicyModel>): PolicyModel {
  return { scopes: [], roles: [], clients: [], roleBindings: [], ...parts };
}

/** Findings of one rule as `[kind key] RULE-ID: message; remedy`, the way a reader scans them. */
export function judge(m: PolicyModel, ruleId: string, overrides: PolicyOverrides = {}, environment = 'test'): string[] {
  return evaluatePolicy(m, recommendedPolicy(environment, overrides), NOW)
    .filter((f: Finding) => f.ruleId === ruleId)
    .map(f => `[${f.object ? `${f.object.kind} ${f.object.key}` : '-'}] ${f.ruleId}: ${findingText(f)}`);
}

/** The findings of one rule, whole. */
export function findingsOf(m: PolicyModel, ruleId: string, overrides: PolicyOverrides = {}): Finding[] {
  return evaluatePolicy(m, recommendedPolicy('test', overrides), NOW).filter(f => f.ruleId === ruleId);
}
