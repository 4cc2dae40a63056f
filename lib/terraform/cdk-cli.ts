/**
 * The CDK a stacks project uses, cdktf (0.21, deprecated upstream) or CDK
 * Terrain (cdktn, which continues it and reads the same cdktf.json), and how
 * to run it: its CLI from the project's node_modules/.bin, or, to synthesize,
 * the app command of cdktf.json itself (what either CLI's `synth` runs), which
 * needs no CLI and so works where cdktn's CLI cannot (Node.js older than 22.19).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors';

export type CdkName = 'cdktf' | 'cdktn';
export const CDK_NAMES: readonly CdkName[] = ['cdktf', 'cdktn'];
/** cdktn-cli's `engines`: it refuses older Node.js. */
export const CDKTN_CLI_NODE = { major: 22, minor: 19 };
/** The environment every CDK command runs with: no update checks (they print getaddrinfo errors on a closed network). */
export const CDK_ENV = { CHECKPOINT_DISABLE: '1' } as const;
/** The CLI commands that plan or apply, which run `terraform providers lock` (always a registry request) without this flag. */
const LOCKING_COMMANDS = new Set(['diff', 'plan', 'deploy', 'apply', 'destroy']);

/** The CDK the project's package.json depends on: cdktn when it names cdktn and not cdktf, else cdktf. */
export function projectCdk(projectDir: string): CdkName {
  const file = join(projectDir, 'package.json');
  if (!existsSync(file)) return 'cdktf';
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: object; devDependencies?: object };
  const names = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  return names.has('cdktn') && !names.has('cdktf') ? 'cdktn' : 'cdktf';
}

/**
 * The command line of the project's CDK CLI for `args`. Plan and apply commands get `--skip-provider-lock`: the stack's
 * lock file comes from `terraform init` through the mirror (or is committed), never from a registry.
 */
export function cdkCliCommand(projectDir: string, args: readonly string[], nodeVersion = process.versions.node): { command: string; args: string[] } {
  const cdk = projectCdk(projectDir);
  const bin = join(projectDir, 'node_modules', '.bin', cdk);
  if (!existsSync(bin)) {
    throw new UsageError(`${projectDir} uses ${cdk} but its CLI is not installed (${bin} is missing): run \`npm install --save-dev ${cdk}-cli\``);
  }
  const [major, minor] = nodeVersion.split('.').map(Number);
  if (cdk === 'cdktn' && (major < CDKTN_CLI_NODE.major || (major === CDKTN_CLI_NODE.major && minor < CDKTN_CLI_NODE.minor))) {
    throw new UsageError(
      `cdktn's CLI needs Node.js ${CDKTN_CLI_NODE.major}.${CDKTN_CLI_NODE.minor} or later, and this is ${nodeVersion}: ` +
        'use a newer Node.js, or `npm start`, which synthesizes without the CLI',
    );
  }
  const extra = LOCKING_COMMANDS.has(args[0]) && !args.includes('--skip-provider-lock') ? ['--skip-provider-lock'] : [];
  return { command: bin, args: [...args, ...extra] };
}

/**
 * Synthesizes the app: cdktf's `cdktf synth`; for cdktn, the `app` command of cdktf.json run as cdktn's synth runs it
 * (it writes cdktf.out/manifest.json and the stacks), so that Node.js 20 suffices.
 */
export function synthCommand(projectDir: string): { command: string; args: string[]; shell: boolean } {
  if (projectCdk(projectDir) === 'cdktf') return { ...cdkCliCommand(projectDir, ['synth']), shell: false };
  const configFile = join(projectDir, 'cdktf.json');
  const app = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as { app?: unknown }).app : undefined;
  if (typeof app !== 'string' || !app.trim()) throw new UsageError(`${configFile} names no app command ("app": "npx tsx stacks/main.ts")`);
  return { command: app, args: [], shell: true };
}

/** Runs a command in the project (stdin is ours: `deploy` may ask), passing its output on as it comes and keeping it for the caller. */
export function runCollecting(
  cwd: string,
  run: { command: string; args: string[]; shell?: boolean },
  env: NodeJS.ProcessEnv,
  onOutput: (text: string, stream: 'stdout' | 'stderr') => void = () => {},
): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.command, run.args, { cwd, env, shell: run.shell ?? false, stdio: ['inherit', 'pipe', 'pipe'] });
    const output: string[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (chunk: Buffer) => {
        output.push(chunk.toString());
        onOutput(chunk.toString(), stream);
      });
    }
    child.on('error', reject);
    child.on('close', code => resolve({ exitCode: code ?? 1, output: output.join('') }));
  });
}
