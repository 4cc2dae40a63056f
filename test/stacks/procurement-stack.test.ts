import { App, Testing } from 'cdktf';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFinding, Scope, ScopeRisk } from '../../lib/constructs';
import { buildApp } from '../../stacks/main';
import { EnvironmentName, ProcurementStack } from '../../stacks/procurement-stack';
import { testEnvironment } from '../support/environment';
import { temporaryProject } from '../support/temporary-project';

const FIXED_NOW = new Date('2026-03-01T09:30:00Z');

function stackAt(environment: EnvironmentName, now: Date) {
  return new ProcurementStack(Testing.app(), environment, { environment, clock: () => now });
}

function resources(stack: ProcurementStack) {
  return JSON.parse(Testing.synth(stack)).resource as Record<string, Record<string, Record<string, unknown>>>;
}

describe('example stacks', () => {
  // The expiries follow the clock, so the stacks pass today and in five years alike.
  // Titles name the clock, not its value, so they are the same every run (and `-t` finds them).
  it.each([
    ['dev', 'today', () => new Date()],
    ['prod', 'today', () => new Date()],
    ['dev', '2031-07-15T23:59:59Z', () => new Date('2031-07-15T23:59:59Z')],
    ['prod', '2031-07-15T23:59:59Z', () => new Date('2031-07-15T23:59:59Z')],
  ] as const)('%s passes its own guardrails with no finding at all (clock: %s)', (environment, _clock, now) => {
    expect(stackAt(environment, now()).authorization.findings().map(formatFinding)).toEqual([]);
  });

  it('covers catalogs, RFQs, orders, budgets, invoices, payments and tickets with one resource per object', () => {
    const json = resources(stackAt('prod', FIXED_NOW));
    const names = (type: string, key = 'name') => Object.values(json[type]).map(r => r[key]).sort();
    expect(names('procurement_scope')).toEqual(expect.arrayContaining(['catalog.read', 'rfq.create', 'po.approve', 'budget.check', 'invoice.submit', 'payment.approve', 'ticket.read', 'ticket.write', 'ticket.approve', 'ticket.comment']));
    expect(names('procurement_client', 'client_id')).toEqual(['approval-bot', 'budget-service', 'erp-connector', 'invoice-processor', 'supplier-portal', 'ticketing-integration']);
    expect(names('procurement_role')).toEqual(['ap-clerk', 'approver', 'budget-controller', 'buyer', 'catalog-reader', 'payment-runner', 'supplier', 'ticket-agent', 'ticket-commenter']);
    expect(Object.keys(json.procurement_role_binding)).toHaveLength(9);
  });

  it('aggregates a role granted to several clients into one binding with several subjects', () => {
    const json = resources(stackAt('prod', FIXED_NOW));
    const binding = Object.values(json.procurement_role_binding).find(b => b.name === 'ticket-commenters')!;
    expect((binding.subject as unknown[]).length).toBe(4);
    const sugar = Object.values(json.procurement_role_binding).find(b => b.name === 'budget-controller-grants')!;
    expect((sugar.subject as unknown[]).length).toBe(2);
  });

  it('makes ticket.write imply ticket.comment', () => {
    const json = resources(stackAt('dev', FIXED_NOW));
    const write = Object.values(json.procurement_scope).find(s => s.name === 'ticket.write')!;
    expect(write.implies).toEqual(['${procurement_scope.ticket_comment.name}']);
  });

  it('runs a stricter policy in prod: the sandbox of dev breaks the prod allow-list', () => {
    const dev = stackAt('dev', FIXED_NOW);
    const prod = stackAt('prod', FIXED_NOW);
    expect(prod.authorization.policy.maxHighRiskGrantDays).toBeLessThan(dev.authorization.policy.maxHighRiskGrantDays);
    expect(Object.values(resources(dev).procurement_scope).map(s => s.name)).toContain('sandbox.reset');
    new Scope(prod.authorization, 'SandboxReset', { name: 'sandbox.reset', description: 'Reset.', risk: ScopeRisk.MEDIUM });
    expect(prod.authorization.findings().map(formatFinding)).toEqual([expect.stringMatching(/^\[prod\/Procurement\/SandboxReset\] ALLOW-LIST: scope 'sandbox.reset' is not on the allow-list of environment 'prod'/)]);
  });

  it('matches the snapshot of the prod stack, which holds no secret', () => {
    const synthesized = Testing.synth(stackAt('prod', FIXED_NOW));
    expect(synthesized).not.toMatch(/admin_token|client_secret|clientSecret|password/i);
    expect(JSON.parse(synthesized)).toMatchSnapshot();
  });

  it('writes cdktf.out/stacks/dev and prod from the app', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'procurement-app-'));
    try {
      buildApp(new App({ outdir })).synth();
      for (const stack of ['dev', 'prod']) expect(existsSync(join(outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('synthesizes through the cdktf CLI with the project cdktf.json', () => {
    // A copy of the project as working directory: the repository stays as it was.
    const project = temporaryProject();
    const outdir = join(project, 'out');
    try {
      execFileSync('npx', ['--no-install', 'cdktf', 'synth', '--output', outdir], {
        cwd: project,
        env: testEnvironment({ CI: '1' }),
        stdio: 'pipe',
      });
      const prod = JSON.parse(readFileSync(join(outdir, 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
      expect(prod.terraform.required_providers.procurement.source).toBe('procurement-scopes/procurement');
      expect(existsSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'))).toBe(true);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
