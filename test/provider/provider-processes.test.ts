/**
 * Who owns the provider process, and that none stays behind:
 * - a plain `terraform plan` on the installed provider: Terraform starts the
 *   provider per phase (go-plugin) and none is left when it ends;
 * - `procurement-scopes terraform <args...>`: one reattached provider process
 *   serves the whole command and Terraform starts none; it ends with the
 *   command, whatever Terraform's exit code (passed through) and on SIGTERM.
 * Processes are found by their command line in /proc, watched while the
 * command runs, so a check that sees nothing fails instead of passing.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUNDLE_FILE, defaultBundlePath, PROVIDER_VERSION } from '../../lib/provider/install/install-provider';
import { REATTACH_FLAG } from '../../lib/provider/plugin/handshake';
import { testEnvironment } from '../support/environment';
import { serverAndWorkspace } from '../support/provider-fixture';
import { expectExit } from '../support/terraform';

const BIN = resolve(__dirname, '../../bin/procurement-scopes.js');

/** Running provider processes (not zombies) working in `dir`, with their command lines, by pid. */
function providersIn(dir: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(BUNDLE_FILE) && state !== 'Z' && readlinkSync(`/proc/${entry}/cwd`) === dir) found.set(Number(entry), cmdline);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Every provider process in `dir` seen while `body` runs (polled every 20 ms), and those still running once it is done. */
async function watching<T>(dir: string, body: () => Promise<T>): Promise<{ result: T; seen: Map<number, string>; left: Map<number, string> }> {
  const seen = new Map<number, string>();
  const look = () => providersIn(dir).forEach((cmdline, pid) => seen.set(pid, cmdline));
  const timer = setInterval(look, 20);
  try {
    const result = await body();
    look();
    return { result, seen, left: providersIn(dir) };
  } finally {
    clearInterval(timer);
  }
}

interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

function finished(child: ChildProcess): Promise<CommandResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise(done => child.once('close', code => done({ exitCode: code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })));
}

/** Fails with Terraform's own words when the command did not exit with `code`. */
function expectCode(result: CommandResult, code: number): void {
  if (result.exitCode !== code) throw new Error(`exited ${result.exitCode}, expected ${code}:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
}

describe('provider processes', () => {
  const fixture = serverAndWorkspace();
  /** The bundle the command reattaches (dist/); Terraform launches the one installed in the workspace's mirror. */
  const reattached = `${defaultBundlePath(__dirname)} ${REATTACH_FLAG}`;
  /** Provider processes are told apart by their working directory, the workspace's: other test files' never count. */
  const ours = () => fixture.tf.dir;

  // Flags before a plan file: Terraform stops reading flags at the first positional argument.
  const command = (subcommand: string, ...args: string[]) =>
    spawn(process.execPath, [BIN, 'terraform', subcommand, '-no-color', '-input=false', ...args], {
      cwd: fixture.tf.dir,
      env: testEnvironment({
        TF_CLI_CONFIG_FILE: fixture.tf.install.configFile,
        PROCUREMENT_URL: fixture.server.url,
        PROCUREMENT_ADMIN_TOKEN: fixture.server.adminToken,
        TF_IN_AUTOMATION: '1',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const scopes = (...names: string[]) =>
    fixture.tf.writeConfig({ resource: { procurement_scope: Object.fromEntries(names.map(name => [name, { name: `processes.${name}`, description: name, risk: 'low' }])) } });

  beforeAll(async () => {
    scopes('read');
    expectExit(await fixture.tf.init(), 0);
  });

  // Every test starts from nothing applied: the SIGTERM test may have created scopes, and the reattached one expects to create one.
  beforeEach(async () => {
    expectExit(await fixture.tf.apply('-destroy'), 0);
    scopes('read');
  });

  test('a plain terraform plan starts the installed provider itself and leaves no provider process behind', async () => {
    const { result, seen, left } = await watching(ours(), () => fixture.tf.plan());
    expectExit(result, 2);
    // Terraform started it (the watch does see provider processes), from the workspace's mirror.
    expect(seen.size).toBeGreaterThanOrEqual(1);
    for (const cmdline of seen.values()) expect(cmdline).toContain(`.terraform/providers/registry.terraform.io/procurement-scopes/procurement/${PROVIDER_VERSION}/`);
    expect(left.size).toBe(0);
  });

  test('procurement-scopes terraform: one reattached process serves plan and apply, Terraform starts none, none is left', async () => {
    const plan = await watching(ours(), () => finished(command('plan', '-detailed-exitcode', '-out=processes.tfplan')));
    expectCode(plan.result, 2); // changes: Terraform's -detailed-exitcode passed through
    expect(plan.result.stdout).toContain('procurement_scope.read will be created');
    const planPids = [...plan.seen.keys()];
    expect(planPids).toHaveLength(1);
    expect(plan.seen.get(planPids[0])).toContain(reattached);
    expect(plan.left.size).toBe(0);

    const apply = await watching(ours(), () => finished(command('apply', 'processes.tfplan')));
    expectCode(apply.result, 0);
    expect(apply.result.stdout).toContain('Apply complete! Resources: 1 added');
    expect([...apply.seen.values()]).toEqual([expect.stringContaining(reattached)]);
    expect(apply.left.size).toBe(0);

    const clean = await watching(ours(), () => finished(command('plan', '-detailed-exitcode')));
    expectCode(clean.result, 0);
    expect(clean.result.stderr).toBe(''); // the provider's usual end (SIGTERM after the command) says nothing
    expect(clean.seen.size).toBe(1);
    expect(clean.left.size).toBe(0);
  });

  test('procurement-scopes terraform passes a failure on, keeps the provider off stdout and leaves no process', async () => {
    const failed = await watching(ours(), () => finished(command('plan', '-var-file=missing.tfvars')));
    expectCode(failed.result, 1);
    expect(failed.result.stderr).toContain('missing.tfvars');
    expect(failed.seen.size).toBe(1);
    expect(failed.left.size).toBe(0);
    expect(failed.result.stdout).not.toContain('"Protocol"');
  });

  test('procurement-scopes terraform: SIGTERM to the command lets Terraform stop, then the provider ends', async () => {
    scopes('read', 'write', 'admin');
    const child = command('apply', '-auto-approve');
    const outcome = watching(ours(), () => finished(child));
    // Once Terraform creates through the reattached provider, the command is stopped.
    await new Promise<void>(creating => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Creating...') && creating()));
    child.kill('SIGTERM');
    const { result, seen, left } = await outcome;
    expect([...seen.values()]).toEqual([expect.stringContaining(reattached)]);
    expect(left.size).toBe(0);
    // Terraform was interrupted (1) or finished before it heard of it (0); either way, its code is the command's.
    expect([0, 1]).toContain(result.exitCode);
    if (result.exitCode === 1) expect(`${result.stdout}${result.stderr}`).toContain('Interrupt received');
  });
});
