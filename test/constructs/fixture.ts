/** Shared test fixture: one Authorization in a Testing app, judged against a fixed clock. */
import { TerraformStack, Testing } from 'cdktf';
import { Authorization, Finding, formatFinding, ProcurementPolicy, ProcurementPolicyProps } from '../../lib/constructs';

export const NOW = new Date('2026-03-01T12:00:00Z');
export const DAY_MS = 86_400_000;

export function testAuthorization(policy: Omit<ProcurementPolicyProps, 'environment'> = {}, environment = 'test') {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'stack');
  const auth = new Authorization(stack, 'Auth', {
    environment,
    policy: new ProcurementPolicy({ environment, ...policy }),
    clock: () => NOW,
  });
  return { app, stack, auth };
}

/** Findings rendered as report lines, so assertions read like what users see. */
export function reportOf(auth: Authorization, ruleId?: string): string[] {
  return auth
    .findings()
    .filter((f: Finding) => ruleId === undefined || f.ruleId === ruleId)
    .map(formatFinding);
}

/** Parsed synthesized JSON of a stack. */
export function synthJson(stack: TerraformStack): { resource: Record<string, Record<string, Record<string, unknown>>>; provider: Record<string, unknown[]> } {
  return JSON.parse(Testing.synth(stack));
}
