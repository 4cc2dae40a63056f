/**
 * The main job, as a platform engineer lives it on the embedded default:
 * start (or reach) the authorization server, install the provider, synth the
 * example stack, plan, apply, plan again (it must be clean), then ask the
 * server for a real token for every client and show what each got.
 *
 * Safe to run twice and convergent after an interruption: the server's data,
 * the Terraform state and the client secrets all live under `workDir`, every
 * write the provider makes is an idempotent PUT, a state file cut short while
 * terraform saved it is put back to the last whole one (local-state.ts), and a
 * client whose secret was lost mid-run gets a new one (only on the embedded
 * server, which this job owns).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdminClient } from '../client/admin-client';
import { SecretStore } from '../client/secret-store';
import { openStackSecrets, SERVER_NAME_VARIABLE } from '../client/secrets-layout';
import { ExternalError, UsageError } from '../model/errors';
import { checkLocalState, localStateFile } from '../terraform/local-state';
import { CDK_ENV, projectCdk, runCollecting, synthCommand } from '../terraform/cdk-cli';
import { TerraformCli } from '../terraform/terraform-cli';
import { Progress } from './progress';
import { createLog, logFileDestination } from '../server/log';

export interface MainJobOptions {
  /** The project holding cdktf.json and stacks/. */
  projectDir: string;
  /** Stack to synth and apply. @default 'dev' */
  stack?: string;
  /** Server data, provider mirror, Terraform CLI configuration and client secrets. @default `<projectDir>/.procurement` */
  workDir?: string;
  /** An external server to target instead of the embedded one (with its admin token). @default PROCUREMENT_URL */
  url?: string;
  adminToken?: string;
  /** Port of the embedded server. @default 0: a free port, told to the provider through PROCUREMENT_URL */
  port?: number;
  /**
   * Run the chain against the team's own authorization server instead: `rfc7592` starts a local, unmodified
   * node-oidc-provider (demo-downstream.ts) and the embedded server as its control plane (docs/downstreams.md);
   * tokens then come from node-oidc-provider. The server starts after synth, which names the scopes it must know.
   */
  downstream?: 'rfc7592';
  write?: (text: string) => void;
}

/** The directory name of the embedded server's client secrets, `<workDir>/secrets/<stack>/embedded`. */
export const EMBEDDED_SERVER_NAME = 'embedded';

export interface MainJobResult {
  firstPlanHadChanges: boolean;
  secondPlanHadChanges: boolean;
  mismatches: number;
}

export async function runMainJob(options: MainJobOptions): Promise<MainJobResult> {
  const projectDir = resolve(options.projectDir);
  const stack = options.stack ?? 'dev';
  const workDir = resolve(options.workDir ?? join(projectDir, '.procurement'));
  const write = options.write ?? (text => process.stdout.write(text));
  const progress = new Progress(7, write);
  const stackDir = join(projectDir, 'cdktf.out', 'stacks', stack);
  const planFile = 'main-job.tfplan';
  // The last whole Terraform state this job saw (local-state.ts), kept beside the server's data.
  const keptState = join(workDir, 'state', `${stack}.tfstate`);

  const connect = (scopes: string[]) => progress.run('Authorization server', () => connectServer(options, workDir, stack, progress, scopes));
  let connected: ServerConnection | null = options.downstream ? null : await connect([]);
  try {
    const cliConfig = await progress.run('Install the provider into a local mirror', async () => {
      const { installProvider, defaultBundlePath } = await import('../provider/install/install-provider.js');
      const result = installProvider({
        configFile: join(workDir, 'terraform.rc'),
        bundlePath: defaultBundlePath(),
        lockFile: join(stackDir, '.terraform.lock.hcl'),
      });
      progress.detail(`mirror ${result.mirrorDir} (${result.written.length} files written, ${result.unchanged.length} unchanged)`);
      return result.configFile;
    });

    await progress.run(`Synthesize the '${stack}' stack (guardrails run here)`, async () => {
      await synth(projectDir, cliConfig, progress);
      requireStack(projectDir, stack);
    });
    const server = connected ?? (connected = await connect(await declaredScopes(join(stackDir, 'cdk.tf.json'))));
    // Per stack and server: the stacks of one app declare the same client ids, each on its own server. The embedded
    // server's URL changes with its free port, so it goes by a fixed name; it is one server per stack (its data dir).
    const secretsLocation = { root: join(workDir, 'secrets'), stack, serverUrl: server.url, serverName: server.embedded ? EMBEDDED_SERVER_NAME : process.env[SERVER_NAME_VARIABLE] };
    const secrets = openStackSecrets(secretsLocation, text => progress.detail(`note: ${text}`));
    const stateFile = localStateFile(JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as object, stackDir);

    const terraform = new TerraformCli({
      cwd: stackDir,
      // One provider process for each command (plan, apply), not one per phase: procurement-scopes terraform's way.
      reattach: true,
      env: {
        TF_CLI_CONFIG_FILE: cliConfig,
        PROCUREMENT_URL: server.url,
        PROCUREMENT_ADMIN_TOKEN: server.adminToken,
        // The root and the server's name: the provider keeps this stack's secrets in secrets/<stack>/<server> (secrets-layout.ts).
        PROCUREMENT_SECRETS_DIR: secretsLocation.root,
        ...(secretsLocation.serverName ? { [SERVER_NAME_VARIABLE]: secretsLocation.serverName } : {}),
      },
      // Per-resource lines say nothing a person needs here (the review below does): keep summaries and diagnostics.
      onLine: line => {
        if (/^(Plan:|Apply complete|No changes\.|Error|Warning|│)/.test(line.trim())) progress.detail(line);
      },
    });

    const first = await progress.run('Plan against the live server', async () => {
      // A run killed while terraform saved the state may have left it unreadable: put the last whole one back.
      const restored = stateFile === null ? null : checkLocalState(stateFile, keptState);
      if (restored) progress.detail(restored.message);
      await terraform.init({ quiet: true });
      const { changes } = await terraform.plan(planFile);
      if (changes) await printReview(terraform, planFile, server, progress);
      else progress.detail('no changes: the server already matches the code');
      return changes;
    });

    await progress.run('Apply', async () => {
      if (first) await terraform.apply(planFile);
      else progress.detail('nothing to apply');
    });

    const second = await progress.run('Plan again (must report no changes)', async () => {
      const { changes } = await terraform.plan(planFile);
      if (changes) {
        await printReview(terraform, planFile, server, progress);
        throw new ExternalError('the second plan still has changes: the provider and the server disagree about what was applied');
      }
      progress.detail('no changes');
      // Kept now, not only when the next run starts: the state this run leaves is the one to go back to.
      if (stateFile !== null) checkLocalState(stateFile, keptState);
      return changes;
    });

    const mismatches = await progress.run('Request a token for every client', () =>
      requestTokens(join(stackDir, 'cdk.tf.json'), server, secrets, progress),
    );
    return { firstPlanHadChanges: first, secondPlanHadChanges: second, mismatches };
  } finally {
    await connected?.close();
  }
}

interface ServerConnection {
  url: string;
  adminToken: string;
  /** True when this job started the server, and so may issue secrets it lost. */
  embedded: boolean;
  /** The issuer of the downstream that issues the tokens, when the server is its control plane. */
  downstreamIssuer: string | null;
  close(): Promise<void>;
}

async function connectServer(options: MainJobOptions, workDir: string, stack: string, progress: Progress, scopes: string[]): Promise<ServerConnection> {
  const url = options.url ?? process.env.PROCUREMENT_URL;
  if (url && options.downstream) {
    throw new UsageError(`--downstream runs its own server as the control plane, but PROCUREMENT_URL is set (${url}): unset it, or drop --downstream`);
  }
  if (url) {
    const adminToken = options.adminToken ?? process.env.PROCUREMENT_ADMIN_TOKEN;
    if (!adminToken) throw new UsageError(`PROCUREMENT_URL is set (${url}) but PROCUREMENT_ADMIN_TOKEN is not: give the server's admin token`);
    progress.detail(`using the server at ${url} (PROCUREMENT_URL)`);
    return { url, adminToken, embedded: false, downstreamIssuer: null, close: async () => {} };
  }
  const { resolveConfig } = await import('../server/defaults.js');
  const { startServer } = await import('../server/server.js');
  // One server per environment: a data directory keeps the environment it was first started with.
  const dataDir = join(workDir, stack === 'dev' ? 'server' : `server-${stack}`);
  // By default a free port: the provider is told the URL through PROCUREMENT_URL, so the port need not be fixed.
  // The stack is named after its environment (stacks/main.ts), so the server enforces that environment's preset.
  const downstream = options.downstream ? await (await import('./demo-downstream.js')).startDemoDownstream(workDir, scopes) : null;
  if (downstream) progress.detail(`the team's own server: node-oidc-provider at ${downstream.issuer} (RFC 7591/7592; log: ${join(workDir, 'downstream.log')})`);
  const config = resolveConfig({
    port: options.port ?? 0,
    dataDir,
    adminToken: process.env.PROCUREMENT_ADMIN_TOKEN || null,
    environment: stack,
    downstreamFile: downstream?.file ?? null,
  });
  // The server's own messages would interleave with the steps; they go to a file beside its data.
  const logFile = join(workDir, 'server.log');
  const running = await startServer(config, createLog('info', logFileDestination(logFile))).catch(async (e: unknown) => {
    await downstream?.close();
    throw e;
  });
  const adminToken = config.adminToken ?? readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  progress.detail(`embedded server listening on ${running.url}`);
  progress.detail(`data in ${dataDir}; admin token: ${running.adminTokenOrigin}; log: ${logFile}`);
  progress.detail(`policy: environment '${running.policy.environment}', ${running.policy.preset ? 'its recommended preset' : 'the stored policy document'}`);
  if (downstream) progress.detail(`the server is its control plane: clients get their tokens from ${downstream.issuer}`);
  return {
    url: running.url,
    adminToken,
    embedded: true,
    downstreamIssuer: downstream?.issuer ?? null,
    close: async () => {
      await running.close();
      await downstream?.close();
    },
  };
}

/** The scope names the synthesized stack defines: what the team's own server must know before clients can hold them. */
async function declaredScopes(configFile: string): Promise<string[]> {
  const { loadDeclaredModel } = await import('../verify/terraform-config.js');
  return loadDeclaredModel(configFile).model.scopes.map(scope => scope.name);
}

async function synth(projectDir: string, cliConfig: string, progress: Progress): Promise<void> {
  const { exitCode, output } = await runCollecting(projectDir, synthCommand(projectDir), {
    ...process.env,
    ...CDK_ENV,
    // cdktf asks terraform for its version; our CLI configuration keeps it from warning about a missing ~/.terraformrc.
    TF_CLI_CONFIG_FILE: cliConfig,
    CI: '1',
    FORCE_COLOR: '0',
  });
  const text = output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  // Drop spinner frames and npm's own configuration chatter; keep cdktf's messages and guardrail warnings.
  const lines = text.split('\n').map(l => l.trim()).filter(l => l && !/^[⠁-⣿]/.test(l) && !l.includes('npm warn'));
  if (exitCode !== 0) throw new UsageError(`${projectCdk(projectDir)} synth failed:\n${lines.join('\n')}`);
  for (const line of lines) progress.detail(line);
}

/** A stack the app does not define fails here, naming the ones it does (cdktf.out/manifest.json lists them). */
function requireStack(projectDir: string, stack: string): void {
  const manifestFile = join(projectDir, 'cdktf.out', 'manifest.json');
  const stacks = existsSync(manifestFile) ? Object.keys((JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks?: object }).stacks ?? {}) : [];
  if (!stacks.includes(stack)) {
    throw new UsageError(`the app defines no stack '${stack}': its stacks are ${stacks.join(', ') || '(none)'} (${manifestFile}); pick one with --stack`);
  }
}

/** The review of the plan, judged with the policy the server enforces (as `review --policy-from` does). */
async function printReview(terraform: TerraformCli, planFile: string, server: ServerConnection, progress: Progress): Promise<void> {
  const { checkPlan } = await import('../review/plan-json.js');
  const { renderReview } = await import('../review/render-review.js');
  const { parsePolicy } = await import('../policy/index.js');
  const plan = checkPlan(await terraform.showJson(planFile), planFile);
  const serverPolicy = parsePolicy((await new AdminClient({ url: server.url, adminToken: server.adminToken, actor: 'main-job' }).policy()).value);
  for (const line of renderReview(plan, { format: 'text', serverPolicy }).trimEnd().split('\n')) progress.detail(line);
}

async function requestTokens(configFile: string, server: ServerConnection, secrets: SecretStore, progress: Progress): Promise<number> {
  const { loadDeclaredModel } = await import('../verify/terraform-config.js');
  const { TokenClient } = await import('../verify/token-client.js');
  const { verifyClients } = await import('../verify/verify.js');
  const { renderVerifyReport } = await import('../verify/verify-report.js');
  const { model } = loadDeclaredModel(configFile);

  // A downstream holds its clients' credentials: a secret rotated here would not reach it.
  if (server.embedded && server.downstreamIssuer === null) {
    // A run interrupted between creating a client and keeping its secret would leave it with none on hand.
    const admin = new AdminClient({ url: server.url, adminToken: server.adminToken, actor: 'main-job' });
    for (const { clientId } of model.clients) {
      if (secrets.load(clientId)) continue;
      const { clientSecret } = await admin.rotateSecret(clientId);
      secrets.save(clientId, clientSecret);
      progress.detail(`issued a new secret for ${clientId} (none was on hand)`);
    }
  }
  const issuer = server.downstreamIssuer ?? server.url;
  const tokens = await TokenClient.discover(issuer);
  const results = await verifyClients({ model, tokens, secrets });
  for (const line of renderVerifyReport(results, { file: configFile, url: issuer }).trimEnd().split('\n')) progress.detail(line);
  return results.filter(r => r.status !== 'match').length;
}
