/**
 * Loads the review's fixture plans. They are shaped like Terraform 1.11.4's
 * `terraform show -json <planfile>` (format 1.2) for one procurement world:
 * roles buyer/approver/supplier/payments/support, clients erp-sync,
 * procure-app, approval-bot and the external supplier-acme.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlan, PlanJson } from '../../lib/review/plan-json';

export const FIXTURES = join(__dirname, 'fixtures');

export function fixturePath(name: string): string {
  return join(FIXTURES, `${name}.json`);
}

export function loadPlan(name: string): PlanJson {
  return parsePlan(readFileSync(fixturePath(name), 'utf8'), fixturePath(name));
}
