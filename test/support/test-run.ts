/**
 * What globalSetup records for globalTeardown (jest runs both in its own
 * process and shares nothing else between them), and the repository
 * fingerprint both compute.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from './temporary-project';

export { PROJECT_ROOT };

export interface TestRun {
  /** This run's temporary root (TMPDIR of every worker and child). */
  root: string;
  /** Relative path → size and modification time, of every repository file tests could touch. */
  repository: Map<string, string>;
}

const KEY = Symbol.for('procurement-scopes.test-run');

export function setTestRun(run: TestRun): void {
  (globalThis as Record<symbol, unknown>)[KEY] = run;
}

export function getTestRun(): TestRun {
  const run = (globalThis as Record<symbol, unknown>)[KEY] as TestRun | undefined;
  if (!run) throw new Error('globalSetup did not run: start the tests with jest and this jest.config.js');
  return run;
}

/** Written by the build, by npm, or by jest itself: not the tests' business. */
const NOT_FINGERPRINTED = new Set(['.git', 'node_modules', 'dist', 'coverage']);

/** Every file of the repository (ignored ones too: a Terraform state or cdktf.out written by a test counts). */
export function fingerprintRepository(): Map<string, string> {
  const prints = new Map<string, string>();
  for (const file of filesUnder(PROJECT_ROOT, NOT_FINGERPRINTED)) {
    const stat = lstatSync(file);
    prints.set(relative(PROJECT_ROOT, file), `${stat.size} bytes, modified ${stat.mtime.toISOString()}`);
  }
  return prints;
}

/** Files (and symbolic links, not followed) under `dir`, skipping directories named in `skip`. */
export function filesUnder(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(path, skip));
    else files.push(path);
  }
  return files;
}

/** What changed between two fingerprints, one line each. */
export function repositoryChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [file, print] of after) {
    const old = before.get(file);
    if (old === undefined) changes.push(`created ${file}`);
    else if (old !== print) changes.push(`changed ${file} (was ${old}, now ${print})`);
  }
  for (const file of before.keys()) if (!after.has(file)) changes.push(`deleted ${file}`);
  return changes;
}
