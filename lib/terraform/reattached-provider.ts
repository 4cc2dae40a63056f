/**
 * One provider process for a whole Terraform command, through Terraform's own
 * TF_REATTACH_PROVIDERS: Terraform otherwise starts a fresh provider per phase
 * (3 for a plan, 4 for an apply), and each pays Node's start. The process is
 * ours, not Terraform's: started before the command, told to end (SIGTERM)
 * after it, killed if it does not, and it leaves by itself should we be gone
 * (plugin/process-lifetime.ts). It runs in its own process group, so that a
 * signal to the command's group (Ctrl-C) reaches Terraform, which stops the
 * provider's work through StopProvider, and never cuts a write short.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ExternalError } from '../model/errors';
import { defaultBundlePath } from '../provider/install/install-provider';
import { PROVIDER_HOSTNAME_SOURCE, REATTACH_FLAG } from '../provider/plugin/handshake';

export interface ReattachedProviderOptions {
  /** The Terraform working directory: the provider's, as when Terraform starts it. */
  cwd: string;
  /** The provider's environment (the command's). */
  env: NodeJS.ProcessEnv;
  /** Each line the provider writes to stderr. */
  onLog: (line: string) => void;
  /** @default the bundle of this package (dist/provider) */
  bundlePath?: string;
  /** How long the provider may take to say where it listens. @default 30 s */
  startTimeoutMs?: number;
}

export interface ReattachedProvider {
  readonly pid: number;
  /** TF_REATTACH_PROVIDERS for Terraform: the caller's entries (other providers being debugged) with ours. */
  readonly reattach: string;
  /** Ends the process (SIGTERM: in-flight calls finish; SIGKILL after `graceMs`) and waits for it. */
  stop(graceMs?: number): Promise<void>;
}

/** Terraform subcommands that never start a provider; `init` besides skips a reattached one when it writes the lock file. */
const WITHOUT_PROVIDER = new Set(['init', 'version', 'fmt', 'get', 'login', 'logout', 'workspace', 'force-unlock']);

/** Whether `terraform <args>` uses providers, and so whether starting one for it is worth it. */
export function usesProvider(args: readonly string[]): boolean {
  const subcommand = args.find(arg => !arg.startsWith('-'));
  return subcommand !== undefined && !WITHOUT_PROVIDER.has(subcommand);
}

/** The directory Terraform works in for `terraform <args>`: `-chdir=DIR` before the subcommand moves it. */
export function workingDirectoryOf(args: readonly string[], cwd: string): string {
  for (const arg of args) {
    if (!arg.startsWith('-')) break;
    if (arg.startsWith('-chdir=')) return resolve(cwd, arg.slice('-chdir='.length));
  }
  return cwd;
}

export async function startReattachedProvider(options: ReattachedProviderOptions): Promise<ReattachedProvider> {
  const bundlePath = options.bundlePath ?? defaultBundlePath(__dirname);
  if (!existsSync(bundlePath)) throw new ExternalError(`the bundled provider is missing at ${bundlePath}: run \`npm run build\` first`);
  const child = spawn(process.execPath, [bundlePath, REATTACH_FLAG], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>(done => child.once('exit', () => done()));
  createInterface({ input: child.stderr! }).on('line', options.onLog);
  try {
    const ours = await firstLine(child, options.startTimeoutMs ?? 30_000);
    return { pid: child.pid!, reattach: withOurs(options.env.TF_REATTACH_PROVIDERS, ours), stop: (graceMs = 10_000) => stop(child, exited, graceMs) };
  } catch (failure) {
    await stop(child, exited, 0);
    throw failure;
  }
}

/** The provider's one line on stdout: its TF_REATTACH_PROVIDERS entry. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(`the provider did not say where it listens within ${timeoutMs / 1000} s`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new ExternalError(`${why}: the provider's messages are above`));
    };
    const failedToStart = (e: Error) => fail(`the provider could not be started (${e.message})`);
    const exitedEarly = (code: number | null) => fail(`the provider exited (${code ?? 'killed'}) before it was ready`);
    child.once('error', failedToStart);
    child.once('exit', exitedEarly);
    lines.once('line', line => {
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      child.off('error', failedToStart);
      // Nothing more is expected on stdout; whatever comes is drained, never shown on ours.
      lines.on('line', () => undefined);
      try {
        const entry = (JSON.parse(line) as Record<string, unknown>)[PROVIDER_HOSTNAME_SOURCE];
        if (typeof entry !== 'object' || entry === null) throw new Error(`no entry for ${PROVIDER_HOSTNAME_SOURCE}`);
        resolvePromise(entry as Record<string, unknown>);
      } catch (e) {
        reject(new ExternalError(`the provider's first line is not its reattach configuration (${(e as Error).message})`));
      }
    });
  });
}

function withOurs(existing: string | undefined, ours: Record<string, unknown>): string {
  let others: Record<string, unknown> = {};
  if (existing) {
    try {
      others = JSON.parse(existing) as Record<string, unknown>;
    } catch {
      throw new ExternalError('TF_REATTACH_PROVIDERS is set but is not JSON: unset it, or give the providers being debugged as Terraform expects');
    }
  }
  return JSON.stringify({ ...others, [PROVIDER_HOSTNAME_SOURCE]: ours });
}

async function stop(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
