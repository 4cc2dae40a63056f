/**
 * `procurement-scopes terraform <args...>`: `terraform <args...>`, with one
 * provider process serving the whole command through TF_REATTACH_PROVIDERS
 * (lib/terraform/reattached-provider.ts) instead of one per phase. Terraform
 * keeps our stdin and stdout (prompts work); its stderr is passed on as it
 * comes, and when it failed because it asked a registry for our provider, the
 * advice to install the mirror follows (registry-hint.ts, as for TerraformCli
 * and `cdk`). The provider's messages go to stderr. Terraform's exit code is
 * ours.
 *
 * Signals: Ctrl-C in a terminal reaches Terraform itself (same process
 * group), which stops the provider's work through StopProvider; a SIGINT
 * sent to this process alone, and SIGTERM or SIGHUP, are passed on to
 * Terraform. Either way the provider ends after Terraform does.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { Command } from 'commander';
import { ExternalError } from '../../model/errors';

export function register(program: Command): void {
  program
    .command('terraform')
    .description('run terraform <args...> with one provider process for the whole command (TF_REATTACH_PROVIDERS)')
    .argument('[args...]', "terraform's arguments, e.g. plan -out=plan.tfplan")
    .helpOption(false)
    .passThroughOptions()
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (args: string[]) => {
      process.exitCode = await runTerraform(args);
    });
}

async function runTerraform(args: string[]): Promise<number> {
  const { startReattachedProvider, usesProvider, workingDirectoryOf } = await import('../../terraform/reattached-provider.js');
  const { registryHint } = await import('../../terraform/registry-hint.js');
  // Listening from the start: a signal that comes while the provider starts must not end us and leave it behind.
  let terraform: ChildProcess | null = null;
  let stoppedBy: NodeJS.Signals | null = null;
  const pass = (signal: NodeJS.Signals) => () => {
    if (!terraform) stoppedBy ??= signal;
    else if (signal !== 'SIGINT' || !inForegroundGroup()) terraform.kill(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(signal => [signal, pass(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  let provider: Awaited<ReturnType<typeof startReattachedProvider>> | null = null;
  try {
    if (usesProvider(args)) {
      provider = await startReattachedProvider({ cwd: workingDirectoryOf(args, process.cwd()), env: process.env, onLog: line => process.stderr.write(`${line}\n`) });
    }
    if (stoppedBy) return exitCodeOf(stoppedBy);
    const env = provider ? { ...process.env, TF_REATTACH_PROVIDERS: provider.reattach } : process.env;
    // Terraform's errors go to stderr: passed on as they come, the end kept to see whether the registry was asked for our provider.
    const child = spawn('terraform', args, { stdio: ['inherit', 'inherit', 'pipe'], env });
    terraform = child;
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      errors = (errors + chunk.toString()).slice(-STDERR_KEPT);
    });
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', e => {
        const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
        reject(missing ? new ExternalError('terraform is not on PATH: install Terraform 1.5 or later (tested with 1.11)') : e);
      });
      // 'close', not 'exit': the last of stderr has been read by then.
      child.once('close', (exitCode, signal) => resolve(exitCode ?? exitCodeOf(signal!)));
    });
    const hint = code === 0 ? null : registryHint(errors);
    if (hint) process.stderr.write(`\n${hint}\n`);
    return code;
  } finally {
    await provider?.stop();
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** How much of Terraform's stderr is kept for registryHint: its diagnostics come last. */
const STDERR_KEPT = 64 * 1024;

/** A shell's exit code for a process ended by `signal`. */
function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * Whether this process is in its terminal's foreground process group (Linux: /proc/self/stat's pgrp and tpgid), where
 * Ctrl-C reaches Terraform too: passing the SIGINT on would be Terraform's second, which makes it leave at once.
 */
function inForegroundGroup(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[2] === fields[5]; // pgrp, tpgid
  } catch {
    return false;
  }
}
