/**
 * One side of a comparison: a Terraform working directory in a temporary
 * folder, the provider installed into its own filesystem mirror, pointed at
 * its own embedded server (or at none, for the `terraform_data` floor).
 * Every step is the real `terraform` with default parallelism (10), timed
 * wall-clock, with the processes it starts watched (see ProcessSampler).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultBundlePath, installProvider } from '../lib/provider/install/install-provider';
import { TerraformCli } from '../lib/terraform/terraform-cli';
import { BenchServer, startBenchServer } from './bench-server';
import { startCountingProxy } from './counting-proxy';
import { cpuSecondsOf, ProcessFigures, ProcessSampler } from './process-sampler';
import { TerraformJson } from './configurations';

export interface StepFigures extends ProcessFigures {
  seconds: number;
  /** CPU seconds the embedded server used during the step (absent for the floor). */
  serverCpuSeconds?: number;
}

/** Terraform's resource-level progress lines, counted to show that a long apply moves. */
const RESOURCE_DONE = /: (Creation|Modifications|Destruction) complete after/;
const PROGRESS_EVERY = 250;

export class TerraformSide {
  static async open(name: string, options: { withServer: boolean; log: (line: string) => void }): Promise<TerraformSide> {
    const dir = mkdtempSync(join(tmpdir(), `procurement-bench-${name}-`));
    const server = options.withServer ? await startBenchServer() : null;
    if (server) options.log(`  ${name}: server listening on ${server.url} (pid ${server.pid})`);
    return new TerraformSide(name, dir, server, options.log);
  }

  private readonly workDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly configFile: string;

  private constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly server: BenchServer | null,
    private readonly log: (line: string) => void,
  ) {
    this.workDir = join(dir, 'work');
    mkdirSync(this.workDir);
    const install = installProvider({ configFile: join(dir, 'terraform.rc'), bundlePath: defaultBundlePath(__dirname) });
    this.configFile = install.configFile;
    this.env = {
      TF_CLI_CONFIG_FILE: install.configFile,
      ...(server ? { PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: server.adminToken, PROCUREMENT_SECRETS_DIR: join(dir, 'secrets') } : {}),
    };
  }

  write(config: TerraformJson): void {
    writeFileSync(join(this.workDir, 'main.tf.json'), JSON.stringify(config));
  }

  /** Puts another build of the provider, or Node flags, into this side's mirror; the lock file follows (after init). */
  reinstall(options: { bundlePath?: string; nodeArgs?: string[] } = {}): void {
    installProvider({
      configFile: this.configFile,
      bundlePath: options.bundlePath ?? defaultBundlePath(__dirname),
      nodeArgs: options.nodeArgs,
      lockFile: join(this.workDir, '.terraform.lock.hcl'),
    });
  }

  async init(): Promise<void> {
    await this.step('init', ['init'], [0]);
  }

  /**
   * Runs `terraform <args>` (adding -no-color -input=false), fails unless it exits with one of `exitCodes`; `env` is
   * laid over the side's. `reattach`: one provider process for the command, as `procurement-scopes terraform` runs it
   * (the default on a side with a server, ours: the project runs Terraform so; never on the floor's, which has no provider).
   */
  async step(label: string, args: string[], exitCodes: number[], options: { env?: NodeJS.ProcessEnv; reattach?: boolean } = {}): Promise<StepFigures> {
    let done = 0;
    const started = performance.now();
    const cli = new TerraformCli({
      cwd: this.workDir,
      env: { ...this.env, ...options.env },
      reattach: options.reattach ?? this.server !== null,
      onLine: line => {
        if (RESOURCE_DONE.test(line) && ++done % PROGRESS_EVERY === 0) {
          this.log(`    ${this.name}: ${label}: ${done} resources done, ${((performance.now() - started) / 1000).toFixed(0)} s`);
        }
      },
    });
    const serverCpuBefore = this.server ? cpuSecondsOf(this.server.pid) : 0;
    const sampler = new ProcessSampler();
    // Flags before any positional argument (a plan file): Terraform stops reading flags at the first one.
    const result = await cli.run([args[0], '-no-color', '-input=false', ...args.slice(1)]);
    const seconds = (performance.now() - started) / 1000;
    const processes = sampler.stop();
    if (!exitCodes.includes(result.exitCode)) {
      const tail = (result.stderr || result.stdout).trim().split('\n').slice(-20).join('\n');
      throw new Error(`${this.name}: terraform ${args.join(' ')} exited ${result.exitCode} (expected ${exitCodes.join(' or ')}):\n${tail}`);
    }
    const figures: StepFigures = { seconds, ...processes, ...(this.server ? { serverCpuSeconds: cpuSecondsOf(this.server.pid) - serverCpuBefore } : {}) };
    if (args[0] !== 'init') this.log(`    ${this.name}: ${label}: ${seconds.toFixed(1)} s (${processes.providerSpawns} provider processes)`);
    return figures;
  }

  /** A no-change plan sent through a reverse proxy on loopback: the HTTP requests the server received. */
  async countRequestsOfNoChangePlan(): Promise<string[]> {
    if (!this.server) throw new Error(`${this.name} has no server to count requests of`);
    const proxy = await startCountingProxy(this.server.url);
    try {
      await this.step('no-change plan through a counting proxy', ['plan', '-detailed-exitcode'], [0], { env: { PROCUREMENT_URL: proxy.url } });
      return [...proxy.seen];
    } finally {
      await proxy.close();
    }
  }

  async close(): Promise<void> {
    await this.server?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
