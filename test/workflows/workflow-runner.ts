/**
 * Runs the shell steps of a GitHub workflow off GitHub, as far as they can
 * run: each step's `run` script under bash (as the runner does, `-e -o
 * pipefail`), with its `env:` evaluated against the contexts a test gives
 * (secrets, vars, matrix, runner), GITHUB_ENV carried to later steps,
 * GITHUB_OUTPUT read back and GITHUB_STEP_SUMMARY kept. Steps that `uses:` an
 * action (checkout, artifacts, comments) are the test's to stand in for.
 *
 * Only `${{ a.b }}` paths are evaluated: anything else in a step the test
 * runs fails loudly instead of running with a wrong value.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// js-yaml 3 has no types of its own here; the one function used is typed at the call.
const { safeLoad } = require('js-yaml') as { safeLoad: (text: string) => unknown };

export interface Step {
  name?: string;
  id?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

export interface Contexts {
  secrets: Record<string, string>;
  vars: Record<string, string>;
  matrix: Record<string, string>;
}

export interface StepResult {
  exitCode: number;
  output: string;
  outputs: Record<string, string>;
  summary: string;
}

export function loadWorkflow(file: string): Workflow {
  return safeLoad(readFileSync(file, 'utf8')) as Workflow;
}

/** The step of a job with that name (or id), failing with the names there are. */
export function stepOf(workflow: Workflow, job: string, name: string): Step {
  const steps = workflow.jobs[job]?.steps ?? [];
  const step = steps.find(s => s.name === name || s.id === name);
  if (!step) throw new Error(`no step '${name}' in job '${job}': it has ${steps.map(s => `'${s.name ?? s.uses}'`).join(', ')}`);
  if (!step.run) throw new Error(`step '${name}' of job '${job}' uses an action; only run steps can run here`);
  return step;
}

/** A runner: one temporary RUNNER_TEMP and one GITHUB_ENV for the steps of a job. */
export class JobRunner {
  readonly temp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
  private readonly env: Record<string, string> = {};

  constructor(
    private readonly cwd: string,
    private readonly contexts: Contexts,
    baseEnv: Record<string, string> = {},
  ) {
    Object.assign(this.env, baseEnv);
  }

  /** Evaluates `${{ ... }}` in a value: context paths only. */
  evaluate(value: string): string {
    const contexts: Record<string, Record<string, string>> = { ...this.contexts, runner: { temp: this.temp } };
    return value.replace(/\$\{\{\s*([\w-]+)\.([\w-]+)\s*\}\}/g, (_, context: string, key: string) => {
      const found = contexts[context]?.[key];
      if (found === undefined) throw new Error(`the test gives no value for ${context}.${key}`);
      return found;
    }).replace(/\$\{\{[^}]*\}\}/g, expression => {
      throw new Error(`cannot evaluate ${expression} off GitHub`);
    });
  }

  async run(step: Step): Promise<StepResult> {
    const files = { GITHUB_ENV: 'env', GITHUB_OUTPUT: 'output', GITHUB_STEP_SUMMARY: 'summary' };
    const paths = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, join(this.temp, `${file}-${Date.now()}`)]));
    for (const path of Object.values(paths)) writeFileSync(path, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, this.evaluate(String(v))]));
    const env = { ...process.env, ...this.env, RUNNER_TEMP: this.temp, ...paths, ...stepEnv };
    const cwd = step['working-directory'] ? join(this.cwd, this.evaluate(step['working-directory'])) : this.cwd;
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run!], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exitCode = await new Promise<number>(resolve => child.once('close', code => resolve(code ?? 1)));
    Object.assign(this.env, keyValues(readFileSync(paths.GITHUB_ENV, 'utf8')));
    return { exitCode, output, outputs: keyValues(readFileSync(paths.GITHUB_OUTPUT, 'utf8')), summary: readFileSync(paths.GITHUB_STEP_SUMMARY, 'utf8') };
  }
}

function keyValues(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter(line => line.includes('='))
      .map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
