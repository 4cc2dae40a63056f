/**
 * Runs the real `terraform` CLI in a working directory. Used by the main job,
 * the tests and the benchmarks; output is streamed to the caller so that long
 * applies show progress.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ExternalError } from '../model/errors';
import { registryHint } from './registry-hint';
import { startReattachedProvider, usesProvider, workingDirectoryOf } from './reattached-provider';

export interface TerraformRunOptions {
  /** The Terraform working directory (e.g. cdktf.out/stacks/dev). */
  cwd: string;
  /** Laid over `baseEnv`. */
  env?: NodeJS.ProcessEnv;
  /** The environment `env` is laid over; tests pass one without the caller's PROCUREMENT_ and TF_ variables. @default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** Each line of output, as it comes. @default lines are collected only */
  onLine?: (line: string) => void;
  /**
   * One provider process serves each command through TF_REATTACH_PROVIDERS (reattached-provider.ts), instead of
   * Terraform's one per phase; its messages count as stderr. @default false
   */
  reattach?: boolean;
}

export interface TerraformResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class TerraformCli {
  constructor(private readonly options: TerraformRunOptions) {}

  init(opts: { quiet?: boolean } = {}): Promise<TerraformResult> {
    return this.checked(['init', '-input=false', '-no-color'], opts);
  }

  /** Plans to `planFile`; answers whether anything would change (from `-detailed-exitcode`). */
  async plan(planFile: string, extra: string[] = []): Promise<{ changes: boolean; result: TerraformResult }> {
    const result = await this.run(['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${planFile}`, ...extra]);
    if (result.exitCode !== 0 && result.exitCode !== 2) throw this.failure(['plan'], result);
    return { changes: result.exitCode === 2, result };
  }

  apply(planFile: string): Promise<TerraformResult> {
    return this.checked(['apply', '-input=false', '-no-color', '-auto-approve', planFile]);
  }

  /** `terraform show -json` of a plan file (or of the state when no file is given). */
  async showJson(planFile?: string): Promise<unknown> {
    const result = await this.checked(['show', '-json', '-no-color', ...(planFile ? [planFile] : [])], { quiet: true });
    return JSON.parse(result.stdout);
  }

  async checked(args: string[], opts: { quiet?: boolean } = {}): Promise<TerraformResult> {
    const result = await this.run(args, opts);
    if (result.exitCode !== 0) throw this.failure(args, result);
    return result;
  }

  async run(args: string[], opts: { quiet?: boolean } = {}): Promise<TerraformResult> {
    const env = { ...(this.options.baseEnv ?? process.env), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', ...this.options.env };
    const err: string[] = [];
    if (!this.options.reattach || !usesProvider(args) || !existsSync(this.options.cwd)) return this.spawn(args, env, err, opts);
    const provider = await startReattachedProvider({ cwd: workingDirectoryOf(args, this.options.cwd), env, onLog: line => err.push(`${line}\n`) });
    try {
      return await this.spawn(args, { ...env, TF_REATTACH_PROVIDERS: provider.reattach }, err, opts);
    } finally {
      await provider.stop();
    }
  }

  private spawn(args: string[], env: NodeJS.ProcessEnv, err: string[], opts: { quiet?: boolean }): Promise<TerraformResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('terraform', args, { cwd: this.options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: string[] = [];
      const forward = (sink: string[]) => (chunk: Buffer) => {
        const text = chunk.toString();
        sink.push(text);
        if (!opts.quiet && this.options.onLine) for (const line of text.split('\n')) if (line.trim()) this.options.onLine(line);
      };
      child.stdout.on('data', forward(out));
      child.stderr.on('data', forward(err));
      child.on('error', e =>
        reject(
          (e as NodeJS.ErrnoException).code !== 'ENOENT'
            ? e
            : // spawn says ENOENT for a missing working directory too.
              existsSync(this.options.cwd)
              ? new ExternalError('terraform is not on PATH: install Terraform 1.5 or later (tested with 1.11)')
              : new ExternalError(`the Terraform working directory ${this.options.cwd} does not exist (was the stack synthesized?)`),
        ),
      );
      child.on('close', code => resolve({ exitCode: code ?? 1, stdout: out.join(''), stderr: err.join('') }));
    });
  }

  private failure(args: string[], result: TerraformResult): ExternalError {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    const hint = registryHint(`${result.stdout}\n${result.stderr}`);
    return new ExternalError(`terraform ${args[0]} failed (exit ${result.exitCode}) in ${this.options.cwd}:\n${tail}${hint ? `\n\n${hint}` : ''}`);
  }
}
